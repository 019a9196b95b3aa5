"""Parsing agreement documents: text -> data (with source lines) -> validated document.

Every problem is collected - syntax, duplicate keys, schema errors of every section, and
references between sections - and raised together as :class:`AgreementInvalid`.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Literal, get_type_hints

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError

from pactline.core.agreement.document import (
    INVALID,
    REQUIRED_SECTIONS,
    AgreementDocument,
    reference_issues,
)
from pactline.core.agreement.errors import (
    AgreementError,
    AgreementInvalid,
    LineOf,
    from_validation_error,
    make_error,
)
from pactline.core.agreement.yamlio import Loader, TooComplexError, index_nodes

Format = Literal["yaml", "json"]

MAX_SIZE = 2_000_000  # characters (or bytes) of source
MAX_NODES = 200_000  # YAML nodes visited, aliases expanded
MAX_DEPTH = 64  # nesting of mappings and lists
# Sections that map names to entries (their names stay known when an entry is invalid).
_MAP_SECTIONS = frozenset({"calendars", "channels", "tiers", "service_levels"})
# Top-level keys whose value is a single scalar; the other required keys are sections.
_SCALAR_KEYS = frozenset(
    {"schema_version", "reference", "title", "language", "effective_from", "tier"}
)


@dataclass
class Loaded:
    data: object
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    root_line: int | None = None
    errors: list[AgreementError] = field(default_factory=list)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The line of ``path``, else of its nearest ancestor present in the source."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.root_line


def parse_agreement(text: str | bytes, *, fmt: Format | None = None) -> AgreementDocument:
    """Parse and validate a YAML or JSON agreement (``fmt=None``: JSON if it starts with ``{``)."""
    source = _decode(text)
    if fmt is None:
        fmt = "json" if source.lstrip().startswith("{") else "yaml"
    loaded = load_json(source) if fmt == "json" else load_yaml(source)
    return validate(loaded.data, line_of=loaded.line_of, errors=loaded.errors)


def agreement_from_data(data: Mapping[str, Any]) -> AgreementDocument:
    """Validate already-loaded data (e.g. a stored version), raising :class:`AgreementInvalid`."""
    return validate(data, line_of=lambda path: None, errors=[])


def _fail(code: str, line: int | None, **params: object) -> AgreementInvalid:
    return AgreementInvalid([make_error((), code, params, line)])


def _decode(text: str | bytes) -> str:
    if len(text) > MAX_SIZE:
        raise _fail("too_large", None, limit=MAX_SIZE)
    if isinstance(text, str):
        return text.removeprefix("\ufeff")
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("encoding", text.count(b"\n", 0, exc.start) + 1) from None


# --- YAML ---------------------------------------------------------------------------------


def load_yaml(source: str) -> Loaded:
    try:
        loader = Loader(source)  # the reader checks every character here
    except yaml.reader.ReaderError as exc:
        raise _reader_error(source, exc) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded(None, root_line=1)
        data = loader.construct_document(node)
        index = index_nodes(loader, node, MAX_NODES, MAX_DEPTH)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "syntax error"
        raise _fail(
            "syntax", mark.line + 1 if mark else None, format="YAML", detail=detail
        ) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(source, exc) from None
    except yaml.YAMLError as exc:
        raise _fail("syntax", None, format="YAML", detail=str(exc)) from None
    except (TooComplexError, RecursionError):
        raise _fail("too_complex", None) from None
    finally:
        loader.dispose()
    loaded = Loaded(data, index.lines, node.start_mark.line + 1)
    for mapping, key, line in loader.duplicates:
        path = (*index.paths.get(id(mapping), ()), key)
        loaded.errors.append(make_error(path, "duplicate_key", {}, line))
    return loaded


def _reader_error(source: str, exc: yaml.reader.ReaderError) -> AgreementInvalid:
    line = source.count("\n", 0, max(exc.position, 0)) + 1
    return _fail("syntax", line, format="YAML", detail="unacceptable character")


# --- JSON ---------------------------------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def load_json(source: str) -> Loaded:
    try:
        data = json.loads(source, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _fail("syntax", exc.lineno, format="JSON", detail=exc.msg) from None
    except RecursionError:
        raise _fail("too_complex", None) from None
    except ValueError as exc:  # a constant such as NaN, or an integer too long to convert
        raise _fail("syntax", None, format="JSON", detail=str(exc)) from None
    scanner = _JsonScanner(source)
    try:
        scanner.value(0, ())
    except RecursionError:
        raise _fail("too_complex", None) from None
    root = scanner.line(len(source) - len(source.lstrip(" \t\r\n")))
    loaded = Loaded(data, scanner.lines, root)
    loaded.errors = [
        make_error(path, "duplicate_key", {}, line) for path, line in scanner.duplicates
    ]
    return loaded


_WS = re.compile(r"[ \t\n\r]*")
_ATOM = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")


class _JsonScanner:
    """Source lines of the keys and items of a (known valid) JSON text, and duplicate keys."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[tuple[str, ...], int] = {}
        self.duplicates: list[tuple[tuple[str, ...], int]] = []
        self.decoder = json.JSONDecoder()

    def string(self, position: int) -> tuple[str, int]:
        value, end = self.decoder.raw_decode(self.text, position)
        return str(value), end

    def line(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position)

    def skip(self, position: int) -> int:
        match = _WS.match(self.text, position)
        return match.end() if match else position

    def value(self, position: int, path: tuple[str, ...]) -> int:
        position = self.skip(position)
        char = self.text[position]
        if char == "{":
            return self.members(position + 1, path)
        if char == "[":
            return self.items(position + 1, path)
        if char == '"':
            return self.string(position)[1]
        match = _ATOM.match(self.text, position)
        return match.end() if match else position + 1

    def members(self, position: int, path: tuple[str, ...]) -> int:
        seen: set[str] = set()
        position = self.skip(position)
        if self.text[position] == "}":
            return position + 1
        while True:
            position = self.skip(position)
            line = self.line(position)
            key, position = self.string(position)
            child = (*path, key)
            if key in seen:
                self.duplicates.append((child, line))
            seen.add(key)
            self.lines[child] = line
            position = self.value(self.skip(position) + 1, child)
            position = self.skip(position)
            if self.text[position] == "}":
                return position + 1
            position += 1

    def items(self, position: int, path: tuple[str, ...]) -> int:
        position = self.skip(position)
        if self.text[position] == "]":
            return position + 1
        index = 0
        while True:
            position = self.skip(position)
            child = (*path, str(index))
            self.lines[child] = self.line(position)
            position = self.skip(self.value(position, child))
            if self.text[position] == "]":
                return position + 1
            position += 1
            index += 1


# --- Validation ---------------------------------------------------------------------------


@cache
def _section_adapters() -> dict[str, TypeAdapter[Any]]:
    hints = get_type_hints(AgreementDocument, include_extras=True)
    # Top-level scalars get the models' config (numbers are accepted as text).
    scalar_config = ConfigDict(coerce_numbers_to_str=True)
    return {
        name: TypeAdapter(hints[name], config=scalar_config if name in _SCALAR_KEYS else None)
        for name in AgreementDocument.model_fields
    }


def _partial(name: str, adapter: TypeAdapter[Any], value: object) -> Any:
    """An invalid map section's entries one by one (INVALID where they fail); else INVALID."""
    if name not in _MAP_SECTIONS or not isinstance(value, dict):
        return INVALID
    entries: dict[str, Any] = {}
    for key, entry in value.items():
        try:
            entries[str(key)] = adapter.validate_python({key: entry})[key]
        except (ValidationError, KeyError, TypeError):
            entries[str(key)] = INVALID
    return entries


def validate(data: object, *, line_of: LineOf, errors: list[AgreementError]) -> AgreementDocument:
    """Validate each section on its own, then the references between the valid ones."""
    found = list(errors)
    if not isinstance(data, Mapping):
        raise AgreementInvalid([*found, make_error((), "not_a_mapping", {}, line_of(()))])
    fields = AgreementDocument.model_fields
    found.extend(
        make_error((str(key),), "unknown_field", {}, line_of((str(key),)))
        for key in data
        if key not in fields
    )
    sections: dict[str, Any] = {}
    invalid: dict[str, Any] = {}
    for name, adapter in _section_adapters().items():
        if name not in data:
            if name in REQUIRED_SECTIONS:
                code = "required" if name in _SCALAR_KEYS else "required_section"
                found.append(make_error((name,), code, {}, line_of(())))
            continue
        try:
            sections[name] = adapter.validate_python(data[name])
        except ValidationError as exc:
            found.extend(from_validation_error(exc, (name,), line_of))
            invalid[name] = _partial(name, adapter, data[name])
    complete: dict[str, Any] = {**sections, **invalid}
    for name, info in fields.items():
        if name not in data and not info.is_required():
            complete[name] = info.get_default(call_default_factory=True)
    for issue in reference_issues(complete):
        path = tuple(str(part) for part in issue.path)
        found.append(make_error(path, issue.code, issue.params, line_of(path)))
    if found:
        raise AgreementInvalid(found)
    try:
        return AgreementDocument.model_validate(sections)
    except ValidationError as exc:  # pragma: no cover - the checks above are the same
        raise AgreementInvalid(from_validation_error(exc, (), line_of)) from None

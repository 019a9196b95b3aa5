"""Agreement errors: what the loader reports, and how pydantic's errors become ours.

Validators inside the schema raise :func:`fail` (one error at the field, optionally deeper
via ``at``) or :func:`fail_many` (several :class:`Issue` s found by one check). Both travel
through pydantic as ``PydanticCustomError`` and are turned back into precise paths by
:func:`from_validation_error`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from pactline.core.agreement.messages import MESSAGES, format_message

Path = tuple[str | int, ...]
LineOf = Callable[[tuple[str, ...]], int | None]

ROOT_PATH = "(document)"
SEMANTIC = "semantic"
# Loc entries that name a union member (see ``base.tag``); they are not part of the path.
TAG_PREFIX = "\x00"
_AT = "_at"


@dataclass(frozen=True)
class AgreementError:
    """One problem in an agreement document, located by dotted path and source line."""

    path: str
    code: str
    message: str
    params: dict[str, object] = field(default_factory=dict)
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path}: {self.message}{where}"


class AgreementInvalid(Exception):
    """The document was rejected; ``errors`` lists every problem found, in source order."""

    def __init__(self, errors: Iterable[AgreementError]) -> None:
        self.errors: list[AgreementError] = sort_errors(errors)
        count = len(self.errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"{count} problem(s) in the agreement:\n{lines}")

    def __reduce__(self) -> tuple[type[AgreementInvalid], tuple[list[AgreementError]]]:
        return (type(self), (self.errors,))


@dataclass(frozen=True)
class Issue:
    """A problem found by a semantic check, at ``path`` relative to the checked value."""

    path: Path
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


def sort_errors(errors: Iterable[AgreementError]) -> list[AgreementError]:
    unique = {(e.path, e.code, e.message, e.line): e for e in errors}
    return sorted(
        unique.values(),
        key=lambda e: (e.line is None, e.line or 0, e.path, e.code, e.message),
    )


def clean_params(params: Mapping[str, object]) -> dict[str, object]:
    """Params as plain JSON-friendly scalars (what translators and the API see)."""
    cleaned: dict[str, object] = {}
    for key, value in params.items():
        if key.startswith("_"):
            continue
        if isinstance(value, bool | int | str) or value is None:
            cleaned[key] = value
        elif isinstance(value, Decimal):
            cleaned[key] = format(value, "f")
        elif isinstance(value, date):
            cleaned[key] = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            cleaned[key] = ", ".join(str(item) for item in value)
        else:
            cleaned[key] = str(value)
    return cleaned


def make_error(
    path: Sequence[str | int], code: str, params: Mapping[str, object], line: int | None
) -> AgreementError:
    cleaned = clean_params(params)
    dotted = ".".join(str(part) for part in path) or ROOT_PATH
    return AgreementError(dotted, code, format_message(code, cleaned), cleaned, line)


def custom_error(code: str, at: Path = (), **params: object) -> PydanticCustomError:
    """A pydantic error carrying one of our codes (and an optional deeper location)."""
    assert code in MESSAGES, code  # noqa: S101 - programming error, not input error
    context: dict[str, Any] = dict(params)
    if at:
        context[_AT] = at
    return PydanticCustomError(code, format_message(code, clean_params(params)), context)


def fail(code: str, at: Path = (), **params: object) -> NoReturn:
    raise custom_error(code, at, **params)


def fail_many(issues: Sequence[Issue]) -> NoReturn:
    summary = "; ".join(
        ".".join(str(p) for p in issue.path)
        + ": "
        + format_message(issue.code, clean_params(issue.params))
        if issue.path
        else format_message(issue.code, clean_params(issue.params))
        for issue in issues
    )
    raise PydanticCustomError(SEMANTIC, summary, {"issues": tuple(issues)})


# Pydantic's error types mapped to our codes.
_BUILTIN: dict[str, str] = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "literal_error": "choice",
    "enum": "choice",
    "string_type": "type_string",
    "string_unicode": "type_string",
    "string_sub_type": "type_string",
    "string_too_short": "empty",
    "string_too_long": "too_long",
    "too_short": "min_items",
    "too_long": "max_items",
    "int_type": "type_integer",
    "int_parsing": "type_integer",
    "int_parsing_size": "type_integer",
    "int_from_float": "type_integer",
    "float_type": "type_number",
    "float_parsing": "type_number",
    "decimal_type": "type_number",
    "decimal_parsing": "type_number",
    "finite_number": "type_number",
    "decimal_max_places": "decimal_places",
    "decimal_max_digits": "digits",
    "decimal_whole_digits": "digits",
    "bool_type": "type_boolean",
    "bool_parsing": "type_boolean",
    "date_type": "type_date",
    "date_parsing": "type_date",
    "date_from_datetime_parsing": "type_date",
    "date_from_datetime_inexact": "type_date",
    "list_type": "type_list",
    "tuple_type": "type_list",
    "set_type": "type_list",
    "iterable_type": "type_list",
    "dict_type": "type_mapping",
    "mapping_type": "type_mapping",
    "model_type": "type_mapping",
    "model_attributes_type": "type_mapping",
    "dataclass_type": "type_mapping",
}

_LIMIT_KEYS = (
    "gt",
    "ge",
    "lt",
    "le",
    "min_length",
    "max_length",
    "decimal_places",
    "max_digits",
    "whole_digits",
)


def _choices(expected: object) -> str:
    text = str(expected)
    quoted = re.findall(r"'([^']*)'", text)
    if quoted:
        return ", ".join(quoted)
    return ", ".join(part for part in re.split(r", | or ", text) if part)


def _builtin_params(code: str, ctx: Mapping[str, Any]) -> dict[str, object]:
    if code == "choice":
        return {"choices": _choices(ctx.get("expected", ""))}
    for key in _LIMIT_KEYS:
        if key in ctx:
            return {"limit": ctx[key]}
    return {}


def from_validation_error(
    exc: ValidationError, prefix: Path, line_of: LineOf
) -> list[AgreementError]:
    """Our errors for every error in ``exc`` (validated value found at ``prefix``)."""
    found: list[AgreementError] = []
    raws = exc.errors(include_url=False, include_input=False)
    for raw in raws:
        if raw["type"] == "too_short" and _has_child_errors(raw["loc"], raws):
            continue  # pydantic counts only the items that validated: not a real "too short"
        path: list[str | int] = list(prefix)
        for part in raw["loc"]:
            if isinstance(part, str) and (part.startswith(TAG_PREFIX) or part == "[key]"):
                continue
            path.append(part)
        kind: str = raw["type"]
        ctx: Mapping[str, Any] = raw.get("ctx") or {}
        if kind == SEMANTIC:
            found.extend(
                _located([*path, *issue.path], issue.code, issue.params, line_of)
                for issue in ctx.get("issues", ())
            )
        elif kind in _BUILTIN:
            code = _BUILTIN[kind]
            found.append(_located(path, code, _builtin_params(code, ctx), line_of))
        elif kind in MESSAGES:
            found.append(_located([*path, *ctx.get(_AT, ())], kind, ctx, line_of))
        else:
            found.append(_located(path, "invalid", {"detail": raw["msg"]}, line_of))
    return found


def _has_child_errors(loc: tuple[str | int, ...], raws: Sequence[Any]) -> bool:
    return any(len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in raws)


def _located(
    path: Sequence[str | int], code: str, params: Mapping[str, object], line_of: LineOf
) -> AgreementError:
    return make_error(path, code, params, line_of(tuple(str(part) for part in path)))

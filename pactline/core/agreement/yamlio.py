"""The YAML dialect of agreements: a safe loader that keeps source lines, and a dumper.

The loader is PyYAML's ``SafeLoader`` (no arbitrary tags) with YAML 1.2-style scalars:
only ``true``/``false`` are booleans (country ``NO`` stays a string), no sexagesimal
numbers (``12:30`` stays a string), a leading ``+`` keeps a phone number a string, and
numbers with a fraction become exact ``Decimal`` s. Mapping keys are always text; a key given
twice in one mapping is recorded (PyYAML would silently keep the last one).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"

# (tag, pattern, possible first characters) - int before float: the first match wins.
_RESOLVERS: list[tuple[str, str, str]] = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    (INT_TAG, r"^-?(?:0|[1-9][0-9]*)$", "-0123456789"),
    (FLOAT_TAG, r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$", "-0123456789"),
    (FLOAT_TAG, r"^-?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$", "-."),
    (MERGE_TAG, r"^(?:<<)$", "<"),
    (
        "tag:yaml.org,2002:timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
]


def _first_chars(chars: str) -> list[str]:
    # PyYAML looks resolvers of the empty scalar (null) up under "".
    return [*chars, ""] if "~" in chars else list(chars)


class Loader(yaml.SafeLoader):
    yaml_implicit_resolvers: dict[Any, Any] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[MappingNode, str, int]] = []

    def key_text(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise ConstructorError(
                None, None, "found a key that is not plain text", node.start_mark
            )
        value = self.construct_object(node)
        return value if isinstance(value, str) else str(node.value)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.key_text(key_node)
            if key in seen:
                self.duplicates.append((node, key, key_node.start_mark.line + 1))
            seen.add(key)
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            mapping[self.key_text(key_node)] = self.construct_object(value_node, deep=deep)
        return mapping


for _tag, _pattern, _chars in _RESOLVERS:
    Loader.add_implicit_resolver(_tag, re.compile(_pattern, re.X), _first_chars(_chars))


def _construct_int(loader: Loader, node: ScalarNode) -> object:
    text = loader.construct_scalar(node)
    try:
        return int(text, 10)
    except ValueError:  # not a number, or longer than Python converts
        return text


def _construct_decimal(loader: Loader, node: ScalarNode) -> object:
    text = loader.construct_scalar(node)
    special = {".inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}.get(text.lower())
    try:
        return Decimal(special or text.replace("_", ""))
    except (InvalidOperation, ValueError):
        return text


def _construct_bool(loader: Loader, node: ScalarNode) -> object:
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(text.lower(), text)


def _construct_timestamp(loader: Loader, node: ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError, AttributeError, TypeError):  # e.g. 2025-02-30
        return loader.construct_scalar(node)


Loader.add_constructor(INT_TAG, _construct_int)
Loader.add_constructor(FLOAT_TAG, _construct_decimal)
Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass
class NodeIndex:
    """Source line of every key and list item, by path; and each mapping node's path."""

    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    paths: dict[int, tuple[str, ...]] = field(default_factory=dict)


class TooComplexError(Exception):
    """The node tree (with aliases expanded) is larger than allowed."""


def index_nodes(loader: Loader, root: Node, limit: int, max_depth: int) -> NodeIndex:
    """Walk the tree (aliases expanded, so recursive aliases are caught by the limits)."""
    index = NodeIndex()
    stack: list[tuple[Node, tuple[str, ...]]] = [(root, ())]
    visited = 0
    while stack:
        node, path = stack.pop()
        visited += 1
        if visited > limit or len(path) > max_depth:
            raise TooComplexError
        if isinstance(node, MappingNode):
            index.paths.setdefault(id(node), path)
            for key_node, value_node in node.value:
                child = (*path, loader.key_text(key_node))
                index.lines[child] = key_node.start_mark.line + 1
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for position, item in enumerate(node.value):
                child = (*path, str(position))
                index.lines[child] = item.start_mark.line + 1
                stack.append((item, child))
    return index


# --- Dumping ------------------------------------------------------------------------------


_UNSAFE_BREAKS = re.compile("[\r\x85\u2028\u2029\ufeff]")


class Dumper(yaml.SafeDumper):
    """Writes scalars so both PyYAML's YAML 1.1 rules and :class:`Loader` read them back."""

    yaml_implicit_resolvers: dict[Any, Any] = {
        key: list(value) for key, value in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }

    def represent_decimal(self, value: Decimal) -> ScalarNode:
        text = format(value, "f")
        tag = self.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if tag in (INT_TAG, FLOAT_TAG):
            return self.represent_scalar(tag, text)
        return self.represent_str(text)

    def represent_text(self, value: str) -> ScalarNode:
        if _UNSAFE_BREAKS.search(value):  # a reader would normalise these: escape them
            return self.represent_scalar(STR_TAG, value, style='"')
        if "\n" in value:
            return self.represent_scalar(STR_TAG, value, style="|")
        return self.represent_str(value)

    def represent_items(self, value: list[Any] | tuple[Any, ...]) -> SequenceNode:
        scalars = all(isinstance(item, str | int | Decimal | date) for item in value)
        short = sum(len(str(item)) + 2 for item in value) < 72
        return self.represent_sequence(
            "tag:yaml.org,2002:seq", value, flow_style=bool(value) and scalars and short
        )


for _tag, _pattern, _chars in _RESOLVERS:
    Dumper.add_implicit_resolver(_tag, re.compile(_pattern, re.X), _first_chars(_chars))
Dumper.add_representer(Decimal, Dumper.represent_decimal)
Dumper.add_representer(str, Dumper.represent_text)
Dumper.add_representer(tuple, Dumper.represent_items)
Dumper.add_representer(list, Dumper.represent_items)

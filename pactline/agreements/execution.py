"""Which terms of the agreement Pactline executes, and which it only displays so far.

Code that acts on a field of the agreement schema declares it next to itself, at module level:
``executes("service_levels.*.*.target_seconds", ...)``. Paths are dotted field paths of
`AgreementDocument`; ``*`` stands for a mapping key or a list item, and a path covers every field
below it. A test walks the whole schema and fails on a field that is neither executed, nor
descriptive text, nor on `NOT_YET_EXECUTED` (which the agreement page marks as such)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from pactline.core.agreement import AgreementDocument

EXECUTED: dict[str, set[str]] = {}  # path -> the modules that execute it


def executes(*paths: str) -> None:
    """Declare that the calling module acts on these agreement fields."""
    module = str(sys._getframe(1).f_globals.get("__name__", "?"))
    for path in paths:
        EXECUTED.setdefault(path, set()).add(module)


# Terms Pactline shows on the agreement page but does not act on yet; each later issue that
# executes one moves it to an `executes(...)` next to its code. This list must shrink to nothing.
NOT_YET_EXECUTED: tuple[str, ...] = (
    "term",  # the agreement's start, end and renewal: versions are effective-dated instead
    "tier",
    "tiers",
    "scope.service_types",
    "scope.languages",
    "data_protection.retention_days",
    "data_protection.breach_notice_hours",
    "data_protection.card_data.policy",  # card data is redacted at ingestion whatever it says
    "data_protection.sub_processors",
    "data_protection.cross_border_transfer",
    "data_protection.access_on_request",
    "termination",
)

# Text that names or describes something and has no behaviour to execute.
DESCRIPTIVE: tuple[str, ...] = (
    "title",
    "parties.provider",
    "parties.client.name",
    "parties.client.legal_name",
    "parties.client.address",
    "parties.client.tax_id",
    "scope.description",
    "calendars.*.description",
    "channels.*.description",
    "service_levels.*.*.description",
    "escalation.ladders.*.name",
    "escalation.ladders.*.description",
)


def _members(annotation: Any) -> Iterator[tuple[str, Any]]:
    """(path suffix, type) of what a field's annotation can hold, through wrappers."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _members(get_args(annotation)[0])
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            yield from _members(arg)
    elif origin in (tuple, list, frozenset, set):
        for arg in get_args(annotation):
            if arg is not Ellipsis:
                yield from (("*" + rest, kind) for rest, kind in _members(arg))
    elif origin is dict:
        yield from (("*" + rest, kind) for rest, kind in _members(get_args(annotation)[1]))
    else:
        yield "", annotation


def schema_paths(model: type[BaseModel] = AgreementDocument, prefix: str = "") -> dict[str, bool]:
    """Every field path of the schema -> whether it is a leaf (holds no nested model)."""
    found: dict[str, bool] = {}
    for name, info in model.model_fields.items():
        base = f"{prefix}{name}"
        leaf = True
        for suffix, kind in _members(info.annotation):
            path = base + "".join(f".{part}" for part in suffix)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                leaf = False
                if path != base:
                    found.setdefault(path, False)
                found.update(schema_paths(kind, path + "."))
        found[base] = found.get(base, True) and leaf
    return found


Entries = tuple[str, ...] | set[str] | dict[str, Any]


def covered(path: str, entries: Entries) -> bool:
    """Whether an entry names the path or a field above it."""
    return any(path == entry or path.startswith(entry + ".") for entry in entries)


def unclassified(paths: dict[str, bool], *lists: Entries) -> list[str]:
    """Leaf fields that no list covers."""
    return [
        path for path, leaf in paths.items() if leaf and not any(covered(path, e) for e in lists)
    ]


def classified_twice(paths: dict[str, bool], *lists: Entries) -> list[str]:
    """Leaf fields that more than one list covers."""
    return [
        path
        for path, leaf in paths.items()
        if leaf and sum(covered(path, entries) for entries in lists) > 1
    ]


def unknown(paths: dict[str, bool], *lists: Entries) -> list[str]:
    """Entries that name no field of the schema."""
    return sorted({entry for entries in lists for entry in entries if entry not in paths})


def not_yet_executed(path: str) -> bool:
    return covered(path, NOT_YET_EXECUTED)


# Where the agreement page marks terms as not yet executed: mark -> the fields it stands for.
PAGE_MARKS: dict[str, tuple[str, ...]] = {
    "term": ("term",),
    "tiers": ("tier", "tiers"),
    "scope": (
        "scope.service_types",
        "scope.languages",
        "scope.service_map",
    ),
    "pricing": ("pricing",),
    "credits": ("service_credits",),
    "card_data": ("data_protection.card_data.policy",),
    "breach_notice": ("data_protection.breach_notice_hours",),
    "cross_border": ("data_protection.cross_border_transfer",),
    "access_on_request": ("data_protection.access_on_request",),
    "retention": ("data_protection.retention_days",),
    "sub_processors": ("data_protection.sub_processors",),
    "written_acceptance": ("change_control.requires_written_acceptance",),
    "termination": ("termination",),
}


def page_marks() -> dict[str, bool]:
    """Which marks the agreement page shows: those standing for a field not yet executed."""
    return {
        mark: any(not_yet_executed(path) for path in paths) for mark, paths in PAGE_MARKS.items()
    }

"""No silent terms: every field of the agreement schema is executed (declared next to the code
that acts on it), descriptive text, or marked "not yet executed" on the agreement page."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from pactline.agreements import execution
from pactline.agreements.execution import (
    DESCRIPTIVE,
    EXECUTED,
    NOT_YET_EXECUTED,
    classified_twice,
    schema_paths,
    unclassified,
    unknown,
)

ROOT = Path(__file__).resolve().parents[3]
DECLARES = re.compile(r"^executes\(", re.MULTILINE)


def _declaring_modules() -> list[str]:
    found = []
    for path in sorted((ROOT / "pactline").rglob("*.py")):
        if "tests" in path.parts or not DECLARES.search(path.read_text(encoding="utf-8")):
            continue
        found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


@pytest.fixture(scope="module")
def executed() -> dict[str, set[str]]:
    for module in _declaring_modules():
        importlib.import_module(module)
    return EXECUTED


def test_every_field_is_executed_or_marked(executed: dict[str, set[str]]) -> None:
    silent = unclassified(schema_paths(), executed, NOT_YET_EXECUTED, DESCRIPTIVE)
    assert silent == [], "neither executed nor marked not yet executed: " + ", ".join(silent)


def test_no_field_is_both_executed_and_not_yet(executed: dict[str, set[str]]) -> None:
    assert classified_twice(schema_paths(), executed, NOT_YET_EXECUTED, DESCRIPTIVE) == []


def test_every_named_path_exists(executed: dict[str, set[str]]) -> None:
    assert unknown(schema_paths(), executed, NOT_YET_EXECUTED, DESCRIPTIVE) == []


def test_declarations_name_their_module(executed: dict[str, set[str]]) -> None:
    assert executed["service_levels.*.*.pause_statuses"] == {"pactline.cases.definitions"}
    assert executed["data_protection.confidentiality_agreement_required"] == {
        "pactline.workforce.access"
    }
    assert executed["pricing"] == {"pactline.billing.close"}
    assert executed["service_credits"] == {"pactline.billing.credits"}
    assert "pricing" not in NOT_YET_EXECUTED


def test_the_walk_reaches_through_unions_lists_and_maps() -> None:
    paths = schema_paths()
    # A discriminated union of metrics in a map of maps, then a tuple of models.
    assert paths["service_levels.*.*.warnings.*.at_percent"] is True
    assert paths["service_levels.*.*.warnings"] is False
    # A union of price items in a tuple, each with its own tuple of tiers.
    assert paths["pricing.items.*.tiers.*.up_to"] is True
    assert paths["pricing.items.*.hour_kind"] is True
    # An optional model inside a map; a union of escalation actions.
    assert paths["calendars.*.holidays.country"] is True
    assert paths["escalation.ladders.*.levels.*.actions.*.url"] is True
    assert paths["data_protection"] is False
    assert "pricing.items.*.tiers.*.up_to.x" not in paths


class _Inner(BaseModel):
    limit: int
    note: str | None = None


class _Outer(BaseModel):
    name: str
    parts: dict[str, tuple[_Inner, ...]]
    extra: _Inner | None = None


def test_the_checks_name_the_offending_paths() -> None:
    paths = schema_paths(_Outer)
    assert paths == {
        "name": True,
        "parts.*.*": False,
        "parts.*.*.limit": True,
        "parts.*.*.note": True,
        "parts": False,
        "extra.limit": True,
        "extra.note": True,
        "extra": False,
    }
    assert unclassified(paths, {"parts": {"m"}}, ("extra.limit",), ("name",)) == ["extra.note"]
    assert classified_twice(paths, {"parts": {"m"}}, ("parts.*.*.note",), ()) == ["parts.*.*.note"]
    assert unknown(paths, {"parts.*.*.limt": {"m"}}, ("extra",), ()) == ["parts.*.*.limt"]


def test_executes_records_the_calling_module() -> None:
    before = {path: set(modules) for path, modules in EXECUTED.items()}
    try:
        execution.executes("title")
        assert EXECUTED["title"] == {__name__}
    finally:
        EXECUTED.clear()
        EXECUTED.update(before)

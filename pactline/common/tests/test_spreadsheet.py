"""safe_cell: text a spreadsheet would read as a formula becomes plain text; nothing else
changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from pactline.common.spreadsheet import FORMULA_STARTS, safe_cell, safe_row


def test_formula_starts_are_prefixed() -> None:
    assert safe_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+1") == "'+1"
    assert safe_cell("-1+2") == "'-1+2"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1") == "'\r=1"
    assert safe_row(["=1", "a", 2]) == ["'=1", "a", 2]


def test_numbers_and_other_values_pass_unchanged() -> None:
    for value in (-1, -2.5, Decimal("-3.10"), 0, None, date(2026, 3, 1), "", "a=b", " =1"):
        assert safe_cell(value) == value
        assert type(safe_cell(value)) is type(value)


@given(st.text())
def test_no_text_leaves_with_a_formula_start(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)

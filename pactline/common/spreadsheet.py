"""Spreadsheet cells that stay text: no formula injection through CSV or XLSX exports.

Text from agreements, cases and clients (a name, a subject, a category, a tag) can start with
a character a spreadsheet program reads as the start of a formula (`=HYPERLINK(…)`,
`@SUM(…)`, `+cmd|…`, `-2+3`), or with a tab or carriage return that some programs skip before
doing so. Every cell an export writes goes through `safe_cell`, which prefixes such text with an
apostrophe (OWASP's advice; the spreadsheet shows the text, not a result). Numbers, dates and
other non-text values pass unchanged: a negative *number* stays a number."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell[T](value: T) -> T | str:
    """`value`, with text that a spreadsheet would read as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]

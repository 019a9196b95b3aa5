"""A CSV someone gave us (a carrier's charges, a client's forecasts): its header checked for
the columns it must have (any case, any order, others ignored) and its rows numbered as the
person sees them in a spreadsheet, the header being line 1."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from pactline.common.errors import FieldError

Row = tuple[int, dict[str, str]]  # the line number and the row by lower-case column name


def csv_rows(text: str, columns: Sequence[str]) -> tuple[list[Row], list[FieldError]]:
    """The numbered rows, or the columns the header lacks (each named, on line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().casefold() for name in reader.fieldnames or []]
    missing = [name for name in columns if name not in header]
    if missing:
        return [], [FieldError(name, _("the file has no such column"), line=1) for name in missing]
    reader.fieldnames = header
    return list(enumerate(reader, start=2)), []


def empty_columns(row: dict[str, str], columns: Sequence[str], number: int) -> list[FieldError]:
    return [
        FieldError(name, _("this column is empty"), line=number)
        for name in columns
        if not (row.get(name) or "").strip()
    ]

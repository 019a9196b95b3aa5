"""A report view as an HTML document, a PDF (WeasyPrint), CSV and XLSX (openpyxl).

The renderers know no section: HTML and PDF lay each section out with its own template, and
CSV and XLSX write the rows each section gives (`ReportSection.sheet_rows`)."""

from __future__ import annotations

import base64
import csv
import io
import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.template.loader import render_to_string

from pactline.common import fonts
from pactline.common.spreadsheet import safe_cell, safe_row
from pactline.reports.formatting import Chart, ReportView, Section
from pactline.reports.sections import SheetRow, registered_section, section_templates, table_rows

FORMATS = ("html", "pdf", "csv", "xlsx")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chart_uri(chart: Chart) -> str:
    """The chart as a data: URI for an <img>: an SVG image keeps its own styles under the
    pages' Content-Security-Policy, which refuses inline style attributes."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode("utf-8")).decode()


def body_html(view: ReportView) -> str:
    """The report's sections, for a page of the portal (inside its layout)."""
    return render_to_string("reports/_body.html", view_context(view))


def view_context(view: ReportView) -> dict[str, object]:
    """What the report templates lay out: each section with its charts as image URIs and
    each table's cells paired with whether they are right-aligned figures."""
    return {
        "report": view,
        "sections": [
            {
                "section": section,
                "templates": section_templates(section.key),
                "charts": [(chart, chart_uri(chart)) for chart in section.charts],
                "tables": [
                    {
                        "table": table,
                        "columns": [
                            (column, table.is_numeric(i)) for i, column in enumerate(table.columns)
                        ],
                        "rows": [
                            [(cell, table.is_numeric(i)) for i, cell in enumerate(row)]
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in view.sections
        ],
    }


def render_html(view: ReportView) -> bytes:
    """A standalone HTML document (its own styles, charts as images)."""
    return render_to_string("reports/document.html", view_context(view)).encode("utf-8")


def render_pdf(view: ReportView) -> bytes:
    from weasyprint import HTML  # imported when needed: it loads pango and the fonts

    # WeasyPrint logs each layout step at INFO; the loops that generate reports log enough.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    font = fonts.cjk_font()
    context = view_context(view) | {"for_pdf": True, "cjk_font": font}
    html = render_to_string("reports/document.html", context)
    fonts.require_cjk_font(html)  # refused rather than stored with a box for each character
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def sheet_rows(section: Section) -> list[SheetRow]:
    """The section's rows in CSV and XLSX, as its registered section gives them (a content
    not measured yet has only its notes)."""
    registered = registered_section(section.key)
    return (registered.sheet_rows if registered is not None else table_rows)(section)


def render_csv(view: ReportView) -> bytes:
    """The facts, then each section: an empty line, its title and its rows (for tables: a
    title line, a header line, the rows, then the notes, i.e. the KPI definitions). UTF-8 with
    a byte order mark, which spreadsheet programs need to read Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row([view.title]))
    for name, value in view.facts:
        writer.writerow(safe_row([name, value]))
    for section in view.sections:
        writer.writerow([])
        writer.writerow(safe_row([section.title]))
        for row in sheet_rows(section):
            writer.writerow([_plain(safe_cell(value)) for value in row.cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(_SHEET_FORBIDDEN).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def render_xlsx(view: ReportView) -> bytes:
    """A summary sheet, then one sheet per section with its rows (its tables one under the
    other)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    assert summary is not None  # noqa: S101 - a new workbook has its first sheet
    summary.title = _sheet_title(view.title, used)
    summary.append(safe_row([view.title]))
    summary["A1"].font = Font(bold=True, size=14)
    for name, value in view.facts:
        summary.append(safe_row([name, value]))
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 60
    for section in view.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet.append(safe_row([section.title]))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        for row in sheet_rows(section):
            sheet.append([_cell_value(safe_cell(value)) for value in row.cells])
            if row.style == "title":
                sheet.cell(row=sheet.max_row, column=1).font = bold
            elif row.style == "header":
                for column in range(1, len(row.cells) + 1):
                    sheet.cell(row=sheet.max_row, column=column).font = bold
        sheet.column_dimensions["A"].width = 28
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[ReportView], bytes]] = {
    "html": render_html,
    "pdf": render_pdf,
    "csv": render_csv,
    "xlsx": render_xlsx,
}

"""A report section and the ordered registry of sections.

A section is one module of `pactline.reports.sections`: its content model (pydantic, stored
under its key in `ReportContent.sections`), its data builder, its presentation (a
`formatting.Section` of tables, charts and notes), its template
(`reports/sections/<key>.html`) and its rows in the spreadsheet formats. The report builds,
validates and renders whatever is registered, so adding a section touches no other section,
no renderer and no template but its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from pactline.reports.formatting import Section

if TYPE_CHECKING:
    from pactline.reports.sections.building import BuildContext
    from pactline.reports.sections.presenting import Presenter


@dataclass(frozen=True)
class SheetRow:
    """A row of a section in CSV and XLSX: raw values (numbers stay numbers)."""

    cells: list[object]
    style: str = ""  # "title" (a table's title) or "header" (its column names): bold in XLSX


def table_rows(section: Section) -> list[SheetRow]:
    """The section's notes, then each table: an empty row, its title, its columns, its rows
    (each cell's value) and its notes."""
    rows = [SheetRow([note]) for note in section.notes]
    for table in section.tables:
        rows += [
            SheetRow([]),
            SheetRow([table.title], "title"),
            SheetRow(list[object](table.columns), "header"),
        ]
        rows += [SheetRow([cell.value for cell in row]) for row in table.rows]
        rows += [SheetRow([note]) for note in table.notes]
    return rows


@dataclass(frozen=True)
class ReportSection[C: BaseModel]:
    key: str  # the agreement's name for the content (`reporting.reports[].contents`)
    model: type[C]
    build: Callable[[BuildContext], C]
    present: Callable[[C, Presenter], Section]
    sheet_rows: Callable[[Section], list[SheetRow]] = table_rows

    @property
    def template(self) -> str:
        return f"reports/sections/{self.key}.html"


_REGISTRY: dict[str, ReportSection[Any]] = {}


def register[C: BaseModel](section: ReportSection[C]) -> ReportSection[C]:
    """Add `section` after those registered before it."""
    if section.key in _REGISTRY:
        raise ValueError(f"a report section '{section.key}' is registered already")
    _REGISTRY[section.key] = section
    return section


def registered() -> list[ReportSection[Any]]:
    """Every section, in the order of `pactline.reports.sections`."""
    return list(_REGISTRY.values())


def registered_section(key: str) -> ReportSection[Any] | None:
    return _REGISTRY.get(key)


def section_templates(key: str) -> list[str]:
    """The section's own template, else the common layout of tables, charts and notes."""
    return [f"reports/sections/{key}.html", "reports/_section.html"]

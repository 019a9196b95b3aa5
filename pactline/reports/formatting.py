"""The building blocks of a report view (cells, tables, charts, sections) and the words and
numbers in them, localized in the active language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from pactline.agreements.presentation.labels import CHANNELS, REPORT_CONTENTS, duration, label
from pactline.reports import content as c

DASH = "—"


@dataclass(frozen=True)
class Cell:
    text: str
    value: object = None  # for CSV and XLSX: int, Decimal, str, date or None
    href: str = ""
    css: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (text, href) pairs shown instead of `text`


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    numeric_from: int = 1  # columns from this index on are right-aligned figures...
    text_columns: tuple[int, ...] = ()  # ...except these

    def is_numeric(self, index: int) -> bool:
        return index >= self.numeric_from and index not in self.text_columns


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportView:
    title: str
    client: str
    period: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    language: str
    generated: str


# --- Formatting -----------------------------------------------------------------------------


def number(value: Decimal | int, places: int = 0) -> str:
    """Rounded half-up (Django's number_format cuts the digits off instead), localized."""
    shown = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return str(formats.number_format(shown, places, use_l10n=True, force_grouping=True))


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def kpi_text(kpi: c.Kpi) -> str:
    if kpi.value is None:
        return DASH
    if kpi.unit == "percent":
        return f"{number(kpi.value, 1)}%"
    if kpi.unit == "seconds":
        return duration(int(kpi.value.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if kpi.unit == "score":
        return number(kpi.value, 2)
    return number(kpi.value, 2)


def kpi_cell(kpi: c.Kpi) -> Cell:
    places = 1 if kpi.unit == "seconds" else 2
    return Cell(kpi_text(kpi), rounded(kpi.value, places))


def unit_text(unit: str) -> str:
    return {"percent": "%", "seconds": _("seconds"), "score": _("score")}.get(unit, unit)


def definition(kpi: c.Kpi) -> str:
    """The KPI's definition in the active language, its parameters filled in."""
    return _(kpi.definition).format(**kpi.params)


def title_of(content: str) -> str:
    return str(capfirst(label(REPORT_CONTENTS, content)))


def count(value: int) -> Cell:
    return Cell(number(value), value)


def channel_name(code: str) -> str:
    return label(CHANNELS, code) if code else _("All channels")


def channel_cell(code: str) -> Cell:
    return Cell(channel_name(code), channel_name(code))


def day_text(day: date) -> str:
    return str(formats.date_format(day, "DATE_FORMAT"))


def period_text(content: c.ReportContent) -> str:
    if content.frequency == "daily":
        return day_text(content.period_start)
    if content.frequency == "monthly":
        return str(formats.date_format(content.period_start, "YEAR_MONTH_FORMAT"))
    return f"{day_text(content.period_start)} – {day_text(content.period_end)}"


def notes_of(pairs: Sequence[tuple[str, c.Kpi]]) -> list[str]:
    """ "Column: definition" lines, each once."""
    return list(dict.fromkeys(f"{name}: {definition(kpi)}" for name, kpi in pairs))


def case_url(case_id: int, base_url: str) -> str:
    return f"{base_url}{reverse('cases:case', args=[case_id])}"


VERDICTS = {"met": "met", "missed": "missed", "not_measured": "not-measured"}


def verdict_text(code: str) -> str:
    return {"met": _("Met"), "missed": _("Missed"), "not_measured": _("Not measured")}.get(
        code, code
    )

"""The registry of report sections: every section is built, stored, validated and rendered
in every format through the registry, so a section registered here, in the test, appears in
the HTML, the PDF and the spreadsheets without any other code knowing it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template.loader import get_template
from openpyxl import load_workbook

from pactline.cases.tests.fixtures import northwind
from pactline.reports import sections
from pactline.reports.content import Model, ReportContent
from pactline.reports.data import report_content, report_period, report_spec
from pactline.reports.formatting import Section, Table, count
from pactline.reports.sections import base
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter
from pactline.reports.services import render_files
from pactline.reports.tests.test_data import DAILY
from pactline.reports.tests.test_render import GENERATED, pdf_text

pytestmark = pytest.mark.django_db


class Tally(Model):
    answers: int
    days: int


def _build(ctx: BuildContext) -> Tally:
    return Tally(answers=42, days=len(ctx.period.days))


def _present(tally: Tally, p: Presenter) -> Section:
    table = Table(
        "tally",
        "Throwaway tally table",
        ["Answers", "Days"],
        [[count(tally.answers), count(tally.days)]],
        numeric_from=0,
    )
    return Section("throwaway", "Throwaway section", [table], notes=["Counted by the test."])


def _rows(section: Section) -> list[base.SheetRow]:
    """Its own spreadsheet rows: one per figure."""
    table = section.tables[0]
    return [
        base.SheetRow([column, cell.value])
        for row in table.rows
        for column, cell in zip(table.columns, row, strict=True)
    ]


@pytest.fixture
def throwaway(monkeypatch: pytest.MonkeyPatch) -> base.ReportSection[Tally]:
    """A section registered for this test only (the registry is restored afterwards)."""
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    return base.register(base.ReportSection("throwaway", Tally, _build, _present, _rows))


def test_the_registry_lists_the_modules_in_order_each_with_its_template() -> None:
    keys = [section.key for section in sections.registered()]
    assert keys == list(sections.MODULES)
    for section in sections.registered():
        assert get_template(section.template)  # reports/sections/<key>.html
    with pytest.raises(ValueError, match="registered already"):
        base.register(sections.registered()[0])


def test_a_section_registered_elsewhere_appears_in_every_format(
    throwaway: base.ReportSection[Tally], tmp_path: Path
) -> None:
    client = northwind()
    spec = report_spec(client, DAILY, datetime(2026, 11, 1, tzinfo=UTC))
    contents = ("volume", "throwaway", "qa_scores")
    spec = replace(spec, report=spec.report.model_copy(update={"contents": contents}))
    content = report_content(client, spec, report_period(client, "daily", date(2026, 3, 2)))
    assert list(content.sections) == ["volume", "throwaway"]
    assert content.sections["throwaway"] == Tally(answers=42, days=1)
    assert content.unavailable == ["qa_scores"]
    # Stored and read back, it is validated by its own model.
    stored = content.model_dump(mode="json")
    assert stored["sections"]["throwaway"] == {"answers": 42, "days": 1}
    again = ReportContent.model_validate(stored)
    assert again.sections["throwaway"] == Tally(answers=42, days=1)
    assert again.digest() == content.digest()

    files = render_files(content, generated_at=GENERATED)
    html = files["html"].decode()
    assert 'id="section-throwaway"' in html
    assert "Throwaway section" in html and "Throwaway tally table" in html
    assert "Counted by the test." in html
    # In the agreement's order: volume, the throwaway section, then what is not measured.
    assert html.index("section-volume") < html.index("section-throwaway")
    assert html.index("section-throwaway") < html.index("section-qa_scores")
    text = " ".join(pdf_text(files["pdf"]).split())
    assert "Throwaway section" in text and "Throwaway tally table" in text

    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    assert "Throwaway section" in workbook.sheetnames
    rows = [list(row) for row in workbook["Throwaway section"].iter_rows(values_only=True)]
    assert rows[0][0] == "Throwaway section"
    assert ["Answers", 42] in [row[:2] for row in rows]
    assert ["Days", 1] in [row[:2] for row in rows]
    csv_text = files["csv"].decode("utf-8-sig")
    assert "Throwaway section\r\nAnswers,42\r\nDays,1\r\n" in csv_text


def test_content_naming_an_unregistered_section_is_refused() -> None:
    stored = {
        "client_code": "c",
        "client_name": "C",
        "report_name": "R",
        "frequency": "daily",
        "language": "en",
        "timezone": "UTC",
        "period_start": "2026-03-02",
        "period_end": "2026-03-02",
        "previous_start": "2026-03-01",
        "previous_end": "2026-03-01",
        "start": "2026-03-02T00:00:00Z",
        "end": "2026-03-03T00:00:00Z",
        "agreement": "A",
        "versions": [1],
        "contents": ["nothing_like_it"],
        "channels": ["phone"],
        "sections": {"nothing_like_it": {}},
    }
    with pytest.raises(ValueError, match="no report section 'nothing_like_it'"):
        ReportContent.model_validate(stored)

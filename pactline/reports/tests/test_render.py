"""The formats of a report: PDF (its text and first page as a picture), CSV, XLSX, HTML; in
English for Northwind and in Chinese for the Chinese agreement."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from openpyxl import load_workbook

from pactline.cases.tests.fixtures import load_example
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import CallSpec, import_calls
from pactline.metrics.tests.test_rollups import VECTOR
from pactline.reports.content import ReportContent
from pactline.reports.presentation import report_view
from pactline.reports.services import render_files
from pactline.reports.tests.test_data import MONTHLY, build_dataset, content_of

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 4, 1, 6, tzinfo=UTC)


def pdf_text(pdf: bytes) -> str:
    """The text of every page, read by pdfium (pypdfium2, a wheel from PyPI), one page a line."""
    with pdfium.PdfDocument(pdf) as document:
        return "\n".join(page.get_textpage().get_text_range() for page in document)


def first_page_ink(pdf: bytes) -> float:
    """The share of the first page (rendered at 80 dpi) that is not white."""
    with pdfium.PdfDocument(pdf) as document:
        gray = document[0].render(scale=80 / 72).to_pil().convert("L")
    width, height = gray.size
    histogram = gray.histogram()
    assert width > 500 and height > 700  # A4 at 80 dpi is 661 x 935
    return 1 - sum(histogram[250:]) / (width * height)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _table(rows: list[list[str]], title: str) -> list[list[str]]:
    """The header and rows of the CSV table titled `title` (up to the next empty line)."""
    start = next(i for i, row in enumerate(rows[:-1]) if row == [title] and rows[i + 1])
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1 : end]


def test_monthly_report_in_every_format(tmp_path: Path) -> None:
    dataset = build_dataset(tmp_path)
    content = content_of(dataset.client, MONTHLY, date(2026, 3, 1))
    files = render_files(content, generated_at=GENERATED)
    assert set(files) == {"html", "pdf", "csv", "xlsx"}

    text = pdf_text(files["pdf"])
    assert "Monthly service review" in text
    assert "Northwind Retail" in text
    assert "March 2026" in text
    assert "64.3%" in text  # the phone service level (SL-C), 9 of 14
    assert "Calls answered within 20 s" in text  # the definition used, beside the figure
    assert "Not measured: no calendar month of this period has been closed yet." in text
    assert first_page_ink(files["pdf"]) > 0.02

    rows = _rows(files["csv"].decode("utf-8-sig"))
    assert rows[0] == ["Monthly service review"]
    assert ["Client", "Northwind Retail"] in rows
    volume = _table(rows, "Volume by channel")
    assert volume[0] == [
        "Channel",
        "Offered",
        "Answered",
        "Abandoned",
        "Callback requests",
        "Handled",
    ]
    assert ["Phone", "16", "11", "4", "1", "11"] in volume
    assert ["All channels", "23", "15", "4", "1", "15"] in volume
    levels = _table(rows, "Service levels")
    assert levels[0][:6] == [
        "Channel",
        "Service level",
        "Target",
        "Measured value",
        "Unit",
        "Volume",
    ]
    phone = next(row for row in levels if row[1] == "80% of calls answered within 20 seconds")
    assert phone[3:7] == ["64.29", "%", "16", "Not measured"]
    assert phone[7].startswith("Calls answered within 20 s as a share of calls answered")
    categories = _table(rows, "Top categories")
    assert categories[0] == ["Category", "Cases", "Previous period", "Change", "Sample cases"]
    ids = " ".join(f"#{dataset.cases[n].pk}" for n in ("c1", "c2", "c3"))
    assert categories[1] == ["Billing inquiry", "3", "1", "2", ids]
    times = _table(rows, "Average response and resolution times")
    email = next(row for row in times if row[0] == "Email")
    assert email[1:3] == ["1800.0", "1800.0"]
    assert any(
        row[0].startswith("Resolution (business hours): Average time to resolution")
        for row in times
    )

    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    assert workbook.sheetnames[0] == "Monthly service review"
    assert "Service levels" in workbook.sheetnames
    sheet = workbook["Service levels"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    phone_row = next(r for r in values if r[1] == "80% of calls answered within 20 seconds")
    assert phone_row[3] == pytest.approx(64.29)
    assert phone_row[5] == 16

    html = files["html"].decode("utf-8")
    assert html.startswith("<!doctype html>")
    assert "data:image/svg+xml;base64," in html  # charts as images, no external file
    assert f"/cases/{dataset.cases['c1'].pk}/" in html  # sample cases link to the case
    # For a reader who may not open cases (billing), the samples are named, not linked.
    unlinked = report_view(content, generated_at=GENERATED, case_links=False)
    issues = next(s for s in unlinked.sections if s.key == "common_issues").tables[0]
    samples = [row[4] for row in issues.rows]
    assert samples and all(cell.links == () for cell in samples)
    assert samples[0].text == ids


def test_charts_are_svg_with_every_series() -> None:
    from pactline.reports import charts

    svg = charts.trend_chart(
        ["03-01", "03-02"], [("SL", [None, 50], 80)], unit="%", target_label="target"
    )
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    bars = charts.bar_chart(
        ["退款", "投诉"], [3, 2], [1, 0], current_label="本期", previous_label="上期"
    )
    assert bars.startswith("<svg") and "退款" in bars  # labels stay text, CJK included
    assert "Noto Sans CJK" in bars or "WenQuanYi" in bars


def _huaxin(tmp_path: Path) -> ReportContent:
    version = load_example("customer-service-zh")
    client = version.client
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
    calls = [
        CallSpec(
            spec.call_id,
            start + (spec.entered - VECTOR[0].entered),
            spec.outcome,
            spec.wait,
            talk=spec.talk,
        )
        for spec in VECTOR
    ]
    import_calls(client, calls, tmp_path)
    consume_all()
    return content_of(client, "客服月度服务报告", date(2026, 3, 1))


def test_the_chinese_agreement_gets_its_report_in_chinese(tmp_path: Path) -> None:
    content = _huaxin(tmp_path)
    assert content.language == "zh-Hans" and content.timezone == "Asia/Shanghai"
    assert content.start == datetime(2026, 2, 28, 16, tzinfo=UTC)
    files = render_files(content, generated_at=GENERATED)

    text = pdf_text(files["pdf"])
    assert "客服月度服务报告" in text
    assert "华信家居" in text
    assert "2026年3月" in text
    assert "服务水平" in text  # "Service levels"
    assert "业务量" in text  # "Volume"
    assert "常见问题" in text  # "Common issues"
    assert "45.5%" in text  # SL-B: 5 answered within 20 s of 11 answered or abandoned
    assert first_page_ink(files["pdf"]) > 0.02

    rows = _rows(files["csv"].decode("utf-8-sig"))
    assert rows[0] == ["客服月度服务报告"]
    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    assert workbook.sheetnames[0] == "客服月度服务报告"
    assert "服务水平" in workbook.sheetnames


def test_the_language_is_the_reports_not_the_readers(tmp_path: Path) -> None:
    content = _huaxin(tmp_path)
    with translation.override("en"):
        files = render_files(content, generated_at=GENERATED + timedelta(days=1))
        english = report_view(content)
    assert "服务水平" in files["html"].decode("utf-8")
    assert any(section.title == "Service levels" for section in english.sections)

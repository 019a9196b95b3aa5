"""Invoice PDF (read back with pdfium), CSV, and a line's usage records."""

from __future__ import annotations

import csv
import io
from datetime import date

import pypdfium2 as pdfium
import pytest

from conftest import World
from pactline.billing.close import month_close
from pactline.billing.documents import invoice_csv, invoice_pdf, line_usage_csv
from pactline.billing.models import Invoice
from pactline.billing.services import invoice_issue
from pactline.billing.tests.test_close_amounts import (
    INBOUND,
    SEP_2,
    huaxin_april,
    kestrel_august,
)
from pactline.common import fonts

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    with pdfium.PdfDocument(pdf) as document:
        return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_the_english_pdf_has_both_parties_lines_tax_and_terms(world: World) -> None:
    at = kestrel_august()
    draft = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    ).invoice
    invoice = invoice_issue(actor=world.billing.actor, invoice=draft, now=SEP_2)
    text = pdf_text(invoice_pdf(invoice))
    for expected in (
        "Invoice / 发票",
        "INV-2026-000001",
        "Southgate Contact Solutions Pty Ltd",
        "ABN 51 824 753 556",
        "Kestrel Energy Retail Pty Ltd",
        "ABN 37 605 912 448",
        INBOUND,
        "pricing.items[0]",
        "Inbound handled minutes (after hours)",
        "Diversion to mobile",
        "22.02",
        "GST 10%",
        "2.20",
        "24.22",
        "Due on request",
        "Each line is rounded half-up to 0.01 AUD; tax is rounded once, on the total.",
        "phone.answer_within",
        "met its target: no credit",
    ):
        assert expected in text, expected


def test_the_chinese_pdf_is_in_chinese_and_sets_every_glyph(world: World) -> None:
    _at, outcome = huaxin_april(world)
    invoice = invoice_issue(actor=world.billing.actor, invoice=outcome.invoice, now=SEP_2)
    pdf = invoice_pdf(invoice)
    text = pdf_text(pdf)
    for expected in (
        "发票 / Invoice",
        "上海联线客户服务外包有限公司",
        "91310115MA1K3Y8Q2P",
        "华信家居用品股份有限公司",
        "电话热线接听（按通计费）",
        "增值税 6%",
        "3396.23",
        "60000.00",
        "2026-10-17",
        "合计",
    ):
        assert expected in text, expected
    assert "Due on request" not in text
    # Every character was set in a font that has it: pdfium reads back no replacement box.
    assert "\ufffd" not in text
    assert fonts.cjk_font() is not None


def test_the_credit_note_pdf_gives_the_memos_reasons(world: World) -> None:
    _at, outcome = huaxin_april(world)
    assert outcome.credit_note is not None
    text = pdf_text(invoice_pdf(outcome.credit_note))
    assert "贷项通知单 / Credit note" in text
    assert "2400.00" in text
    assert "phone.answer_within" in text
    assert "service_credits.allocations[0]" in text


def test_the_csv_has_the_header_lines_and_totals(world: World) -> None:
    at = kestrel_august()
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    ).invoice
    stored = Invoice.objects.get(pk=invoice.pk)  # six places in the columns
    rows = list(csv.reader(io.StringIO(invoice_csv(stored))))
    assert rows[:5] == [
        ["document", "invoice"],
        ["number", ""],
        ["status", "draft"],
        ["period", "2026-08-01..2026-08-31"],
        ["currency", "AUD"],
    ]
    start = rows.index(
        [
            "position",
            "kind",
            "item",
            "clause",
            "quantity",
            "unit",
            "rate",
            "exact_amount",
            "amount",
            "usage_count",
        ]
    )
    assert rows[start + 1] == [
        "1",
        "charge",
        INBOUND,
        "pricing.items[0]",
        "3.4",
        "minute",
        "1.45",
        "4.93",
        "4.93",
        "4",
    ]
    assert rows[-3:] == [
        ["subtotal", "22.02"],
        ["tax", "GST 10", "exclusive", "2.20"],
        ["total", "24.22"],
    ]


def test_a_line_drills_down_to_its_usage_records(world: World) -> None:
    at = kestrel_august()
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    ).invoice
    rows = list(csv.reader(io.StringIO(line_usage_csv(invoice.lines.get(position=1)))))
    assert rows[0][:6] == ["id", "source", "source_id", "part", "kind", "at"]
    assert len(rows) == 1 + 4  # the four inbound legs
    assert {row[14] for row in rows[1:]} == {"a", "b", "c"}  # call_id
    after = list(csv.reader(io.StringIO(line_usage_csv(invoice.lines.get(position=2)))))
    assert [row[14] for row in after[1:]] == ["c"]
    diverted = list(csv.reader(io.StringIO(line_usage_csv(invoice.lines.get(position=5)))))
    assert [(row[14], row[25]) for row in diverted[1:]] == [("b", "mobile")]

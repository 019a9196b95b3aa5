"""An invoice, credit note or debit note as a PDF (WeasyPrint) and CSV; a line's usage as CSV.

The PDF is in the document's language (the agreement's), with every heading in English and
Chinese; Chinese is set in the CJK font the reports use (`pactline.common.fonts`) and a
document with Chinese text is refused when no such font is installed. It shows both parties'
legal details as issued, the lines with their clauses, tax, total, the due date (or "due on
request"), the rounding rule, the credit memo's reasons and the diversion prepayment balance.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactline.billing.credits import LANGUAGE_CODES, describe
from pactline.billing.models import (
    CreditMemo,
    DocumentKind,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    UsageKind,
    UsageRecord,
)
from pactline.billing.presentation import money_text, result_text
from pactline.common import fonts
from pactline.common.spreadsheet import safe_row
from pactline.metrics.periods import period_bounds

HEADINGS = {
    DocumentKind.INVOICE: gettext_noop("Invoice"),
    DocumentKind.CREDIT_NOTE: gettext_noop("Credit note"),
    DocumentKind.DEBIT_NOTE: gettext_noop("Debit note"),
    "seller": gettext_noop("Provider"),
    "buyer": gettext_noop("Client"),
    "lines": gettext_noop("Charges"),
    "credits": gettext_noop("Service credits"),
    "totals": gettext_noop("Totals"),
    "terms": gettext_noop("Terms"),
}
USAGE_COLUMNS = (
    "id",
    "source",
    "source_id",
    "part",
    "kind",
    "at",
    "agreement_version_id",
    "price_item",
    "channel",
    "service_type",
    "direction",
    "queue",
    "number",
    "agent",
    "call_id",
    "leg",
    "handled",
    "event",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "productive_seconds",
    "logged_seconds",
    "training_seconds",
    "outside_hours",
    "diverted_to",
    "amount",
    "description",
)


def language_code(invoice: Invoice) -> str:
    return LANGUAGE_CODES.get(invoice.language, "en")


def bilingual(msgid: str, code: str) -> str:
    """The heading in the document's language, then in the other one."""
    with translation.override("en"):
        english = _(msgid)
    with translation.override("zh-hans"):
        chinese = _(msgid)
    return f"{chinese} / {english}" if code.startswith("zh") else f"{english} / {chinese}"


def line_label(line: InvoiceLine) -> str:
    """What the line is, in the active language (agreement item names stay as written)."""
    if line.model == "diversion":
        return _("Diversion to %(destination)s") % {
            "destination": line.item.removeprefix("Diversion to ")
        }
    if line.model == "minimum_top_up":
        return _("Monthly minimum top-up")
    if line.model == "after_hours":
        return _("%(item)s (after hours)") % {"item": line.item.removesuffix(" (after hours)")}
    if line.model == "per_hour" and line.item.endswith(" (training)"):
        return _("%(item)s (training)") % {"item": line.item.removesuffix(" (training)")}
    if line.model == "diversion_draw":
        return _("Diversion charges paid from the prepayment")
    if line.model == "diversion_balance":
        return _("Diversion prepayment balance")
    if line.model == "service_credit":
        return _("Service credits")
    if line.model == "earn_back":
        return _("Service credit of %(month)s earned back") % {
            "month": line.item.removeprefix("Service credit of ").removesuffix(" earned back")
        }
    if line.model == "correction":
        return _("Correction of %(number)s") % {"number": line.item.removeprefix("Correction of ")}
    if line.model == "late_payment":
        number = line.item.partition(": ")[2]
        if line.unit == "day":
            return _("Late payment interest on %(number)s") % {"number": number}
        return _("Late payment fee on %(number)s") % {"number": number}
    return line.item


@dataclass(frozen=True)
class MemoLine:
    reference: str
    clause: str
    target: str
    value: str
    verdict: str
    allocation: str
    credited: str
    reason: str


def memo_of(invoice: Invoice) -> CreditMemo | None:
    """The credit memo the document carries, else the memo of its statement revision."""
    memo = (
        CreditMemo.objects.filter(invoice=invoice)
        .order_by("-statement__revision", "-computed_at")
        .first()
    )
    if memo is None and invoice.statement_id is not None and invoice.kind == DocumentKind.INVOICE:
        memo = CreditMemo.objects.filter(
            client_id=invoice.client_id, month=invoice.period_start, statement=invoice.statement
        ).first()
    return memo


def memo_lines(memo: CreditMemo | None) -> list[MemoLine]:
    if memo is None:
        return []
    verdicts = {"met": _("met"), "missed": _("missed"), "not_measured": _("not measured")}
    return [
        MemoLine(
            reference=line["reference"],
            clause=line["clause"],
            target=line["target"] or "",
            value=result_text(line["value"]),
            verdict=verdicts.get(line["verdict"], line["verdict"]),
            allocation=line["allocation_percent"] or "",
            credited=line["credited"],
            reason=describe(line["reason"], line["params"]),
        )
        for line in memo.content.get("lines", [])
    ]


def _context(invoice: Invoice) -> dict[str, Any]:
    code = language_code(invoice)
    lines = list(invoice.lines.order_by("position"))
    memo = memo_of(invoice)
    balance = next((line for line in lines if line.model == "diversion_balance"), None)
    title = _(HEADINGS[DocumentKind(invoice.kind)])
    return {
        "invoice": invoice,
        "title": title,
        "number": invoice.number or _("Draft"),
        "draft": invoice.status == DocumentStatus.DRAFT,
        "headings": {key: bilingual(msgid, code) for key, msgid in HEADINGS.items()},
        "kind_heading": bilingual(HEADINGS[DocumentKind(invoice.kind)], code),
        "parties": [
            (bilingual(HEADINGS["seller"], code), invoice.parties.get("seller", {})),
            (bilingual(HEADINGS["buyer"], code), invoice.parties.get("buyer", {})),
        ],
        "lines": [
            (line, line_label(line), number_text(line.quantity), number_text(line.rate))
            for line in lines
        ],
        "memo": memo,
        "memo_lines": memo_lines(memo),
        "memo_note": (
            describe(memo.content["note"], memo.content.get("note_params", {}))
            if memo is not None and memo.content.get("note")
            else ""
        ),
        "balance": balance.quantity if balance is not None else None,
        "tax_rate": (
            format(invoice.tax_rate_percent.normalize(), "f")
            if invoice.tax_rate_percent is not None
            else ""
        ),
        "rounding": rounding_text(invoice),
        "lang": "zh-Hans" if code.startswith("zh") else "en",
    }


def number_text(value: Decimal | None) -> str:
    """A figure without trailing zeros and never in exponent notation."""
    return "" if value is None else format(value.normalize(), "f")


def rounding_text(invoice: Invoice) -> str:
    step = invoice.rounding_rule.removeprefix("half-up to ").removesuffix(" per line")
    return _(
        "Each line is rounded half-up to %(step)s %(currency)s; tax is rounded once, on the total."
    ) % {"step": step, "currency": invoice.currency}


def invoice_html(invoice: Invoice, *, for_pdf: bool = False) -> str:
    with translation.override(language_code(invoice)):
        context = _context(invoice) | {"for_pdf": for_pdf, "cjk_font": fonts.cjk_font()}
        return render_to_string("billing/invoice.html", context)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The document as a PDF, every glyph embedded."""
    from weasyprint import HTML  # imported when needed: it loads pango and the fonts

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = invoice_html(invoice, for_pdf=True)
    fonts.require_cjk_font(html)  # refused rather than printed with a box for each character
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _write(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def _plain(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def invoice_csv(invoice: Invoice) -> str:
    """The document's header, lines and totals (amounts to the minor unit, exact amounts
    beside them)."""
    currency = invoice.currency
    header = [
        ("document", invoice.kind),
        ("number", invoice.number),
        ("status", invoice.status),
        ("period", f"{invoice.period_start.isoformat()}..{invoice.period_end.isoformat()}"),
        ("currency", invoice.currency),
        ("issued_on", invoice.issued_on.isoformat() if invoice.issued_on else ""),
        ("due_on", "on request" if invoice.due_on_request else _plain(invoice.due_on)),
        ("corrects", invoice.corrects.number if invoice.corrects is not None else ""),
        ("rounding_rule", invoice.rounding_rule),
    ]
    columns = (
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
    )
    lines = [
        (
            line.position,
            line.kind,
            line.item,
            line.clause,
            number_text(line.quantity),
            line.unit,
            number_text(line.rate),
            line.exact_amount,
            money_text(line.amount, currency, grouped=False),
            line.usage_count,
        )
        for line in invoice.lines.order_by("position")
    ]
    tax = f"{invoice.tax_name} {number_text(invoice.tax_rate_percent)}" if invoice.tax_name else ""
    totals = [
        ("subtotal", money_text(invoice.subtotal, currency, grouped=False)),
        (
            "tax",
            tax.strip(),
            "inclusive" if invoice.tax_inclusive else "exclusive",
            money_text(invoice.tax_amount, currency, grouped=False),
        ),
        ("total", money_text(invoice.total, currency, grouped=False)),
    ]
    return _write([*header, (), columns, *lines, (), *totals])


def line_records(line: InvoiceLine) -> QuerySet[UsageRecord]:
    """The usage records behind a line: its item's records in the document's period (for an
    after-hours line, those outside hours; for a diversion line, the diverted legs)."""
    invoice = line.invoice
    start, end = period_bounds(invoice.period_start, invoice.period_end, ZoneInfo(invoice.timezone))
    records = UsageRecord.objects.filter(client_id=line.client_id, at__gte=start, at__lt=end)
    if line.model in ("per_minute", "per_call", "per_ticket", "per_hour"):
        return records.filter(price_item=line.item.removesuffix(" (training)"))
    if line.model == "after_hours":
        base = line.item.removesuffix(" (after hours)")
        return records.filter(price_item=base, outside_hours=True)
    if line.model == "diversion":
        return records.filter(diverted_to=line.item.removeprefix("Diversion to "))
    if line.model == "one_time":
        return records.filter(kind=UsageKind.FEE, description=line.item)
    if line.model == "pass_through":
        return records.filter(kind=UsageKind.PASS_THROUGH, description=line.item)
    return records.none()


def _usage_rows(line: InvoiceLine) -> Iterator[tuple[Any, ...]]:
    yield USAGE_COLUMNS
    values = line_records(line).order_by("at", "id").values_list(*USAGE_COLUMNS)
    for row in values.iterator(chunk_size=5000):
        yield tuple(
            value.isoformat() if hasattr(value, "isoformat") else _plain(value) for value in row
        )


def line_usage_csv(line: InvoiceLine) -> str:
    """The usage records behind the line, one a row."""
    return _write(_usage_rows(line))

"""Issuing documents, recording payments, invoicing late payment.

* `invoice_issue` numbers a draft from its series' `InvoiceSequence` row, locked in the
  issuing transaction, so numbers are gap-free per provider, series (INV, CN, DN) and year of
  issue: `INV-2026-000001`. It fixes the due date (`payment_terms_days` after the issue date;
  at once when the agreement makes invoices due on request) and the content hash; the
  document is immutable afterwards (`Invoice.save` refuses).
* `payment_record` records money received against an issued invoice or debit note, partial or
  full, once per payer's reference.
* `late_fees_invoice` writes the client's draft debit note of late-payment charges (decided:
  a debit note of its own, dated in the month it is drawn up, one line per overdue document
  and charge, never taxed). Interest is simple, `interest_percent_per_year` of the amount
  outstanding, pro rata for each day past the due date beyond `grace_days` (days / 365); the
  days already charged on an earlier debit note are not charged again. The fixed fee is
  charged once per overdue document.
* `invoice_outstanding`: an invoice's or debit note's total, less its payments and the
  issued credit notes correcting it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.audit.services import audit_record
from pactline.billing.models import (
    DocumentKind,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    LineKind,
    Payment,
)
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.common.inputs import text_problem
from pactline.core.rating import round_line
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client, Provider
from pactline.tenancy.services import provider_ensure

executes("pricing.late_payment")

SERIES = {
    DocumentKind.INVOICE: "INV",
    DocumentKind.CREDIT_NOTE: "CN",
    DocumentKind.DEBIT_NOTE: "DN",
}
PAYABLE = (DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE)
LATE_INTEREST = "Late payment interest"
LATE_FEE = "Late payment fee"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def issued_content(invoice: Invoice) -> dict[str, Any]:
    """What the content hash of an issued document covers."""
    names = (
        "kind",
        "number",
        "period_start",
        "period_end",
        "currency",
        "language",
        "issued_on",
        "due_on",
        "due_on_request",
        "subtotal",
        "tax_name",
        "tax_rate_percent",
        "tax_inclusive",
        "tax_amount",
        "total",
        "rounding_rule",
        "parties",
        "reason",
    )
    data = {name: _plain(getattr(invoice, name)) for name in names}
    data["corrects"] = invoice.corrects.number if invoice.corrects_id else None
    data["lines"] = [
        {
            "position": line.position,
            "kind": line.kind,
            "item": line.item,
            "clause": line.clause,
            "quantity": _plain(line.quantity),
            "unit": line.unit,
            "rate": _plain(line.rate),
            "exact_amount": line.exact_amount,
            "amount": _plain(line.amount),
        }
        for line in invoice.lines.order_by("position")
    ]
    return data


def _provider(invoice: Invoice) -> Provider:
    provider = Provider.objects.filter(pk=1).first()
    if provider is not None:
        return provider
    return provider_ensure(name=str(invoice.parties.get("seller", {}).get("name") or "Provider"))


def _next_number(provider: Provider, series: str, year: int) -> int:
    """The next number of the series, drawn under the sequence row's lock (gap-free: a
    rolled-back issue returns it)."""
    try:
        with transaction.atomic():
            InvoiceSequence.objects.get_or_create(provider=provider, series=series, year=year)
    except IntegrityError:  # created concurrently: theirs stands
        pass
    sequence = InvoiceSequence.objects.select_for_update().get(
        provider=provider, series=series, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


@transaction.atomic
def invoice_issue(*, actor: Actor, invoice: Invoice, now: datetime) -> Invoice:
    """Number, date and freeze a draft (see the module docstring)."""
    require(actor, Permission.BILLING_MANAGE, invoice.client_id)
    current = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if current.status != DocumentStatus.DRAFT:
        raise Conflict(_("this document is already issued"))
    if current.corrects_id is not None and current.corrects.status != DocumentStatus.ISSUED:
        raise Conflict(_("issue the invoice this note corrects first"))
    series = SERIES[DocumentKind(current.kind)]
    issued_on = now.astimezone(client_zone(current.client)).date()
    pricing = current.agreement_version.terms.pricing
    sequence = _next_number(_provider(current), series, issued_on.year)
    current.series, current.year, current.sequence = series, issued_on.year, sequence
    current.number = f"{series}-{issued_on.year}-{sequence:06d}"
    current.issued_on = issued_on
    current.due_on = issued_on + timedelta(days=int(pricing.payment_terms_days))
    current.issued_at, current.issued_by = now, actor.audit_label
    current.content_hash = ""
    current.content_hash = hashlib.sha256(
        json.dumps(issued_content(current), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    current.status = DocumentStatus.ISSUED
    current.save()
    audit_record(
        actor=actor,
        action="billing.document_issued",
        client_id=current.client_id,
        obj=current,
        payload={
            "number": current.number,
            "kind": current.kind,
            "total": current.total,
            "content_hash": current.content_hash,
        },
        at=now,
    )
    return current


# --- Payments ----------------------------------------------------------------------------------


def invoice_outstanding(invoice: Invoice) -> Decimal:
    """What is still owed on an issued invoice or debit note (0 for drafts and credit notes):
    its total less its payments and the issued credit notes correcting it."""
    if invoice.status != DocumentStatus.ISSUED or invoice.kind not in PAYABLE:
        return Decimal(0)
    paid = invoice.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    credited = invoice.corrections.filter(
        kind=DocumentKind.CREDIT_NOTE, status=DocumentStatus.ISSUED
    ).aggregate(s=Sum("total"))["s"] or Decimal(0)
    return invoice.total - paid - credited


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationFailed([FieldError("amount", _("give an amount greater than 0"))])
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationFailed([FieldError("amount", _("give an amount greater than 0"))]) from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValidationFailed([FieldError("amount", _("give an amount greater than 0"))])
    return amount


@transaction.atomic
def payment_record(
    *,
    actor: Actor,
    invoice: Invoice,
    amount: Decimal,
    received_on: date,
    reference: str,
    now: datetime,
) -> Payment:
    """Record a payment (partial or full) of an issued invoice or debit note; the same
    reference again returns the stored payment and changes nothing."""
    require(actor, Permission.BILLING_MANAGE, invoice.client_id)
    value = _amount(amount)
    ref = reference.strip() if isinstance(reference, str) else ""
    if not ref or len(ref) > 100 or text_problem(ref) is not None:
        raise ValidationFailed(
            [FieldError("reference", _("give the payer's reference (at most 100 characters)"))]
        )
    if not isinstance(received_on, date) or isinstance(received_on, datetime):
        raise ValidationFailed([FieldError("received_on", _("give the date the money arrived"))])
    current = Invoice.objects.select_for_update().get(pk=invoice.pk)
    stored = Payment.objects.filter(client_id=current.client_id, reference=ref).first()
    if stored is not None:
        if stored.invoice_id == current.pk and stored.amount == value:
            return stored
        raise ValidationFailed(
            [FieldError("reference", _("this reference was recorded for another payment"))]
        )
    if current.status != DocumentStatus.ISSUED or current.kind not in PAYABLE:
        raise Conflict(_("payments are recorded against issued invoices and debit notes"))
    if value > invoice_outstanding(current):
        raise ValidationFailed(
            [
                FieldError(
                    "amount",
                    _("more than the %(outstanding)s outstanding")
                    % {"outstanding": invoice_outstanding(current)},
                )
            ]
        )
    payment = Payment.objects.create(
        client_id=current.client_id,
        invoice=current,
        amount=value,
        received_on=received_on,
        reference=ref,
        recorded_at=now,
        recorded_by=actor.audit_label,
    )
    audit_record(
        actor=actor,
        action="billing.payment_recorded",
        client_id=current.client_id,
        obj=payment,
        payload={"invoice": current.number, "amount": value, "reference": ref},
        at=now,
    )
    return payment


# --- Late payment ------------------------------------------------------------------------------


def _charged_days(document: Invoice, leave_out: Invoice | None) -> int:
    lines = InvoiceLine.objects.filter(
        client_id=document.client_id,
        kind=LineKind.LATE_FEE,
        item=f"{LATE_INTEREST}: {document.number}",
    )
    if leave_out is not None:
        lines = lines.exclude(invoice=leave_out)
    return int(lines.aggregate(s=Sum("quantity"))["s"] or 0)


def _fee_charged(document: Invoice, leave_out: Invoice | None) -> bool:
    lines = InvoiceLine.objects.filter(
        client_id=document.client_id, kind=LineKind.LATE_FEE, item=f"{LATE_FEE}: {document.number}"
    )
    if leave_out is not None:
        lines = lines.exclude(invoice=leave_out)
    return lines.exists()


def late_charges(
    document: Invoice, today: date, leave_out: Invoice | None = None
) -> list[dict[str, Any]]:
    """The late-payment lines owed on one issued document as of `today`."""
    late = document.agreement_version.terms.pricing.late_payment
    if late is None or document.due_on is None:
        return []
    outstanding = invoice_outstanding(document)
    days = (today - document.due_on).days - late.grace_days
    if outstanding <= 0 or days <= 0:
        return []
    lines: list[dict[str, Any]] = []
    rate = late.interest_percent_per_year
    new_days = days - _charged_days(document, leave_out)
    if rate is not None and new_days > 0:
        exact = Fraction(outstanding) * Fraction(rate) / 100 * new_days / 365
        lines.append(
            {
                "item": f"{LATE_INTEREST}: {document.number}",
                "description": _(
                    "%(rate)s percent a year on %(outstanding)s for %(days)s days (%(days)s / 365)"
                )
                % {"rate": rate, "outstanding": outstanding, "days": new_days},
                "quantity": Decimal(new_days),
                "unit": "day",
                "rate": rate,
                "exact": exact,
            }
        )
    if late.fixed_fee is not None and not _fee_charged(document, leave_out):
        lines.append(
            {
                "item": f"{LATE_FEE}: {document.number}",
                "description": _("fixed fee for payment after the due date"),
                "quantity": Decimal(1),
                "unit": "fee",
                "rate": late.fixed_fee,
                "exact": Fraction(late.fixed_fee),
            }
        )
    return lines


@transaction.atomic
def late_fees_invoice(*, actor: Actor, client: Client, now: datetime) -> Invoice | None:
    """Write (or rewrite) the client's draft debit note of late-payment charges as of `now`;
    None when nothing is owed."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    today = now.astimezone(client_zone(client)).date()
    first = today.replace(day=1)
    draft = (
        Invoice.objects.select_for_update()
        .filter(
            client=client,
            kind=DocumentKind.DEBIT_NOTE,
            period_start=first,
            status=DocumentStatus.DRAFT,
            corrects=None,
        )
        .first()
    )
    overdue = Invoice.objects.filter(
        client=client, status=DocumentStatus.ISSUED, kind__in=PAYABLE, due_on__lt=today
    ).order_by("issued_on", "sequence")
    charges = [(doc, line) for doc in overdue for line in late_charges(doc, today, draft)]
    if not charges:
        if draft is not None:
            draft.delete()
        return None
    latest = charges[-1][0]
    currency = latest.currency
    if draft is None:
        if Invoice.objects.filter(
            client=client,
            kind=DocumentKind.DEBIT_NOTE,
            period_start=first,
            status=DocumentStatus.DRAFT,
        ).exists():
            raise Conflict(_("issue this month's draft debit note first"))
        draft = Invoice(client=client, kind=DocumentKind.DEBIT_NOTE, created_at=now)
    rounded = [round_line(line["exact"], currency)[0] for _doc, line in charges]
    subtotal = sum(rounded, Decimal(0))
    next_month = (first + timedelta(days=32)).replace(day=1)
    draft.status = DocumentStatus.DRAFT
    draft.period_start, draft.period_end = first, next_month - timedelta(days=1)
    draft.timezone, draft.currency, draft.language = latest.timezone, currency, latest.language
    draft.agreement_version = latest.agreement_version
    draft.reason = _("late payment")
    draft.due_on_request = latest.due_on_request
    draft.subtotal, draft.tax_amount, draft.total = subtotal, Decimal(0), subtotal
    draft.tax_name, draft.tax_rate_percent, draft.tax_inclusive = "", None, False
    draft.rounding_rule, draft.parties = latest.rounding_rule, latest.parties
    draft.save()
    InvoiceLine.objects.filter(invoice=draft).delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            client=client,
            invoice=draft,
            position=position,
            kind=LineKind.LATE_FEE,
            item=line["item"],
            model="late_payment",
            description=line["description"][:300],
            clause="pricing.late_payment",
            quantity=line["quantity"],
            unit=line["unit"],
            rate=line["rate"],
            exact_amount=str(line["exact"].numerator)
            if line["exact"].denominator == 1
            else f"{line['exact'].numerator}/{line['exact'].denominator}",
            amount=amount,
        )
        for position, ((_doc, line), amount) in enumerate(zip(charges, rounded, strict=True), 1)
    )
    audit_record(
        actor=actor,
        action="billing.late_fees_drafted",
        client_id=client.id,
        obj=draft,
        payload={"total": subtotal, "documents": sorted({doc.number for doc, _l in charges})},
        at=now,
    )
    return draft

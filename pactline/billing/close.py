"""Month close: one idempotent step from the month's usage and statement to draft documents.

`month_close` rates the period's usage (`rating_input`, `invoice_lines`), computes the
service credits from the latest issued revision of the month's compliance statement
(`billing.credits`) and writes the period's draft invoice: the rated lines in the agreement's
order, each with its clause and exact and rounded amounts, the diversion prepayment drawn and
its balance, the service credits (a negative line, or a separate draft credit note when
`service_credits.applied_as` says so), and tax as the agreement states it, rounded once on the
total. Running it again with the same input changes nothing; a draft is rewritten when its
content changes.

Once the period's invoice is issued it is never changed: a new statement revision or changed
usage that gives a different net amount (charges less credits, before tax) produces a draft
credit note (less) or debit note (more) for the difference, which `corrects` the invoice and
names the statement revision. A correction not yet issued is rewritten by the next run.

Amounts: `subtotal` is the sum of the rounded lines; exclusive tax is `rate` percent of it,
inclusive tax is the part `rate / (100 + rate)` of it; tax is rounded once, half-up.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.audit.services import audit_record
from pactline.billing.credits import LANGUAGE_CODES, credit_memo_compute, statement_for_month
from pactline.billing.invoice_lines import (
    LineSpec,
    credit_spec,
    diversion_lines,
    earned_back_specs,
    line_spec,
    money,
    rated_lines,
    tax_totals,
)
from pactline.billing.models import (
    CreditMemo,
    DocumentKind,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    LineKind,
)
from pactline.billing.rating_input import rating_inputs
from pactline.common.errors import Conflict, DomainError, FieldError, ValidationFailed
from pactline.core.rating import round_line
from pactline.core.rating.engine import SERVICE_MODELS
from pactline.metrics.models import Statement
from pactline.metrics.periods import period_bounds, period_of
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require, system_actor
from pactline.tenancy.models import Client

# The usage records carry what the calendar and the diversion ledger decided (usage
# derivation); month close bills every price term from them.
executes("pricing")

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class CloseOutcome:
    """What one close did: the period's invoice (draft or issued), its draft service-credit
    note, a correction note written for an issued invoice, the memo, and whether anything
    was written."""

    invoice: Invoice
    credit_note: Invoice | None = None
    correction: Invoice | None = None
    memo: CreditMemo | None = None
    changed: bool = False


# --- Documents ---------------------------------------------------------------------------------


def _party(party: Any) -> dict[str, str]:
    return {
        "name": party.name,
        "legal_name": party.legal_name or "",
        "address": party.address or "",
        "tax_id": party.tax_id or "",
    }


def _content(fields: dict[str, Any], lines: Sequence[LineSpec]) -> dict[str, Any]:
    data = {key: _jsonable(value) for key, value in fields.items()}
    data["lines"] = [line.as_data() for line in lines]
    return data


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, AgreementVersion | Statement | Invoice):
        return value.pk
    return value


def content_hash(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def _write_draft(
    *,
    client: Client,
    kind: str,
    fields: dict[str, Any],
    lines: Sequence[LineSpec],
    now: datetime,
) -> tuple[Invoice, bool]:
    """Create or rewrite the draft of `kind` for the period; (draft, changed)."""
    digest = content_hash(_content({"kind": kind, **fields}, lines))
    draft = (
        Invoice.objects.select_for_update()
        .filter(
            client=client,
            kind=kind,
            period_start=fields["period_start"],
            status=DocumentStatus.DRAFT,
        )
        .first()
    )
    if draft is not None and draft.content_hash == digest:
        return draft, False
    if draft is None:
        draft = Invoice(client=client, kind=kind, status=DocumentStatus.DRAFT, created_at=now)
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.content_hash = digest
    draft.save()
    InvoiceLine.objects.filter(invoice=draft).delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            client=client,
            invoice=draft,
            position=position,
            kind=line.kind,
            item=line.item[:200],
            model=line.model,
            description=line.description,
            clause=line.clause,
            quantity=line.quantity,
            unit=line.unit,
            rate=line.rate,
            exact_amount=line.exact_amount,
            amount=line.amount,
            usage_count=line.usage_count,
        )
        for position, line in enumerate(lines, start=1)
    )
    return draft, True


def _discard_draft(client: Client, kind: str, first: date, corrects: Invoice | None) -> bool:
    drafts = Invoice.objects.filter(
        client=client, kind=kind, period_start=first, status=DocumentStatus.DRAFT
    )
    if corrects is not None:
        drafts = drafts.filter(corrects=corrects)
    found = list(drafts)
    for draft in found:
        CreditMemo.objects.filter(invoice=draft).update(invoice=None)
        draft.delete()
    return bool(found)


# --- The close ---------------------------------------------------------------------------------


def _period(period_start: object) -> tuple[date, date]:
    if not isinstance(period_start, date) or isinstance(period_start, datetime):
        raise ValidationFailed([FieldError("period", _("give the first day of a month"))])
    if period_start.day != 1:
        raise ValidationFailed([FieldError("period", _("give the first day of a month"))])
    return period_of("monthly", period_start)


def _net(invoice: Invoice, *, leave_out: Invoice | None) -> Decimal:
    """What the issued invoice and the notes correcting it bill, before tax."""
    net = invoice.subtotal
    notes = invoice.corrections.all()
    if leave_out is not None:
        notes = notes.exclude(pk=leave_out.pk)
    for note in notes:
        if note.kind == DocumentKind.CREDIT_NOTE:
            net -= note.subtotal
        elif note.kind == DocumentKind.DEBIT_NOTE:
            net += note.subtotal
    return net


def month_close(*, actor: Actor, client: Client, period_start: date, now: datetime) -> CloseOutcome:
    """Close the client's month starting on `period_start` (see the module docstring)."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    first, last = _period(period_start)
    zone = client_zone(client)
    start, end = period_bounds(first, last, zone)
    if end > now:
        raise ValidationFailed([FieldError("period", _("a month is closed once it has ended"))])
    statement = statement_for_month(client, first)
    if statement is None:
        raise ValidationFailed(
            [FieldError("period", _("the month has no issued compliance statement yet"))]
        )
    start, end = period_bounds(first, last, ZoneInfo(statement.timezone))
    version = agreement_version_in_force(client, end - timedelta(microseconds=1))
    if version is None:
        raise ValidationFailed([FieldError("period", _("no agreement was in force in the month"))])
    terms = version.terms
    with translation.override(LANGUAGE_CODES.get(str(terms.language), "en")), transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        return _close(actor, client, version, statement, first, last, start, end, now)


def _close(
    actor: Actor,
    client: Client,
    version: AgreementVersion,
    statement: Statement,
    first: date,
    last: date,
    start: datetime,
    end: datetime,
    now: datetime,
) -> CloseOutcome:
    terms = version.terms
    pricing = terms.pricing
    currency = str(pricing.currency)
    parts = rating_inputs(client, start, end, period_version=version)
    rated = rated_lines(parts, version)
    specs = [line_spec(p, line, currency, note, usage_count=n) for p, line, note, n in rated]
    charges = sum(
        (s.amount for s in specs if s.model in SERVICE_MODELS or s.model == "minimum_top_up"),
        Decimal(0),
    )
    diversion = sum((s.amount for s in specs if s.model == "diversion"), Decimal(0))
    specs += diversion_lines(client, start, end, diversion, currency)
    memo = credit_memo_compute(
        actor=actor,
        client=client,
        version=version,
        statement=statement,
        first=first,
        charges=charges,
        currency=currency,
        now=now,
    )
    specs += earned_back_specs(memo, currency)
    credited = Decimal(0) if memo is None else memo.total
    as_note = (
        terms.service_credits is not None and terms.service_credits.applied_as == "credit_note"
    )
    if credited > 0 and not as_note:
        specs.append(credit_spec(credited, currency, -1))
    subtotal = sum((s.amount for s in specs), Decimal(0))
    tax = pricing.tax
    rule = round_line(Decimal(0), currency)[1]
    fields: dict[str, Any] = {
        "period_start": first,
        "period_end": last,
        "timezone": str(ZoneInfo(statement.timezone)),
        "currency": currency,
        "language": str(terms.language),
        "agreement_version": version,
        "statement": statement,
        "due_on_request": bool(pricing.due_on_request),
        "tax_name": tax.name if tax else "",
        "tax_rate_percent": tax.rate_percent if tax else None,
        "tax_inclusive": bool(tax and tax.inclusive),
        "rounding_rule": rule,
        "parties": {
            "seller": _party(terms.parties.provider),
            "buyer": {**_party(terms.parties.client), "code": terms.parties.client.code},
        },
    }
    issued = Invoice.objects.filter(
        client=client,
        kind=DocumentKind.INVOICE,
        period_start=first,
        status=DocumentStatus.ISSUED,
    ).first()
    credit_total = money(credited, currency) if as_note else Decimal(0)
    if issued is not None:
        return _correct(
            actor, client, issued, statement, fields, subtotal - credit_total, memo, now
        )
    totals = tax_totals(subtotal, tax, currency)
    invoice_fields = {
        **fields,
        "corrects": None,
        "reason": "",
        "subtotal": totals.subtotal,
        "tax_amount": totals.tax_amount,
        "total": totals.total,
    }
    invoice, changed = _write_draft(
        client=client, kind=DocumentKind.INVOICE, fields=invoice_fields, lines=specs, now=now
    )
    outcome = CloseOutcome(invoice=invoice, memo=memo, changed=changed)
    if credit_total > 0:
        note_totals = tax_totals(credit_total, tax, currency)
        outcome.credit_note, note_changed = _write_draft(
            client=client,
            kind=DocumentKind.CREDIT_NOTE,
            fields={
                **fields,
                "corrects": invoice,
                "reason": _("service credits of %(month)s") % {"month": first.strftime("%Y-%m")},
                "subtotal": note_totals.subtotal,
                "tax_amount": note_totals.tax_amount,
                "total": note_totals.total,
            },
            lines=[credit_spec(credited, currency, 1)],
            now=now,
        )
        outcome.changed |= note_changed
    elif as_note:
        outcome.changed |= _discard_draft(client, DocumentKind.CREDIT_NOTE, first, invoice)
    carrier = outcome.credit_note or invoice
    if memo is not None and memo.invoice_id != carrier.pk:
        # The draft carries this month's latest memo only (a reissue replaced the earlier).
        CreditMemo.objects.filter(invoice=carrier).exclude(pk=memo.pk).update(invoice=None)
        CreditMemo.objects.filter(pk=memo.pk).update(invoice=carrier)
        memo.invoice = carrier
    if outcome.changed:
        audit_record(
            actor=actor,
            action="billing.month_closed",
            client_id=client.id,
            obj=invoice,
            payload={
                "period": first.isoformat(),
                "statement_revision": statement.revision,
                "subtotal": invoice.subtotal,
                "total": invoice.total,
                "credits": credited,
            },
            at=now,
        )
    return outcome


def _correct(
    actor: Actor,
    client: Client,
    issued: Invoice,
    statement: Statement,
    fields: dict[str, Any],
    new_net: Decimal,
    memo: CreditMemo | None,
    now: datetime,
) -> CloseOutcome:
    """The period's invoice is issued: a draft note for the difference, or none."""
    currency, first = fields["currency"], fields["period_start"]
    if issued.corrections.filter(
        status=DocumentStatus.DRAFT, kind=DocumentKind.CREDIT_NOTE, lines__kind=LineKind.CREDIT
    ).exists():
        raise Conflict(_("issue the draft credit note of the month's service credits first"))
    pending = (
        issued.corrections.filter(status=DocumentStatus.DRAFT)
        .exclude(lines__kind=LineKind.CREDIT)
        .first()
    )
    difference = new_net - _net(issued, leave_out=pending)
    outcome = CloseOutcome(invoice=issued, memo=memo)
    kind = DocumentKind.CREDIT_NOTE if difference < 0 else DocumentKind.DEBIT_NOTE
    if pending is not None and (difference == 0 or pending.kind != kind):
        CreditMemo.objects.filter(invoice=pending).update(invoice=None)
        pending.delete()
        outcome.changed = True
    if difference == 0:
        return outcome
    reason = _(
        "correction of %(number)s after compliance statement revision %(revision)s of %(month)s"
    ) % {"number": issued.number, "revision": statement.revision, "month": first.strftime("%Y-%m")}
    line = LineSpec(
        kind=LineKind.ADJUSTMENT,
        item=f"Correction of {issued.number}",
        model="correction",
        description=reason,
        clause="pricing",
        quantity=Decimal(1),
        unit="amount",
        rate=None,
        exact_amount=format(abs(difference), "f"),
        amount=abs(difference),
    )
    totals = tax_totals(abs(difference), issued.agreement_version.terms.pricing.tax, currency)
    note, changed = _write_draft(
        client=client,
        kind=kind,
        fields={
            **fields,
            "corrects": issued,
            "reason": reason,
            "subtotal": totals.subtotal,
            "tax_amount": totals.tax_amount,
            "total": totals.total,
        },
        lines=[line],
        now=now,
    )
    outcome.correction, outcome.changed = note, outcome.changed or changed
    if memo is not None and memo.invoice_id is None:
        CreditMemo.objects.filter(pk=memo.pk).update(invoice=note)
        memo.invoice = note
    if changed:
        audit_record(
            actor=actor,
            action="billing.correction_drafted",
            client_id=client.id,
            obj=note,
            payload={"corrects": issued.number, "difference": difference, "reason": reason},
            at=now,
        )
    return outcome


# --- Scheduled and by hand ---------------------------------------------------------------------


def _last_ended_month(client: Client, now: datetime) -> date:
    local = now.astimezone(client_zone(client)).date()
    return (local.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_close_due(*, now: datetime) -> list[str]:
    """Close every client's last ended month that has an issued monthly statement and no
    issued invoice yet: a new draft, or the draft brought up to date with usage and statement
    revisions that came since (a draft unchanged says nothing). An issued month is left to
    people: its corrections are notes they close by hand. One line per draft written or
    refused."""
    actor = system_actor("billing")
    done: list[str] = []
    for client in Client.objects.filter(is_active=True).order_by("code"):
        first = _last_ended_month(client, now)
        if Invoice.objects.filter(
            client=client,
            kind=DocumentKind.INVOICE,
            period_start=first,
            status=DocumentStatus.ISSUED,
        ).exists():
            continue
        if statement_for_month(client, first) is None:
            continue
        try:
            outcome = month_close(actor=actor, client=client, period_start=first, now=now)
        except DomainError as error:
            done.append(f"{client.code} {first:%Y-%m}: not closed: {error}")
            continue
        if outcome.changed:
            done.append(f"{client.code} {first:%Y-%m}: draft invoice total {outcome.invoice.total}")
    return done


def close_command(client_code: str, period: str) -> str:
    """`pactline billing close --client C --period YYYY-MM`: close one month by hand."""
    match = _PERIOD.match(period.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed([FieldError("period", _("give the month as YYYY-MM"))])
    client = Client.objects.filter(code=client_code).first()
    if client is None:
        raise ValidationFailed([FieldError("client", _("no client with this code"))])
    first = date(int(match.group(1)), int(match.group(2)), 1)
    outcome = month_close(
        actor=system_actor("billing"), client=client, period_start=first, now=timezone.now()
    )
    invoice = outcome.invoice
    lines = [
        f"{client.code} {period}: {invoice.number or 'draft'} {invoice.currency} "
        f"subtotal {invoice.subtotal} tax {invoice.tax_amount} total {invoice.total}"
        + ("" if outcome.changed else " (unchanged)")
    ]
    lines.extend(
        f"  {note.kind} draft total {note.total}"
        for note in (outcome.credit_note, outcome.correction)
        if note is not None
    )
    return "\n".join(lines)


def month_close_scheduled() -> list[str]:
    """`month_close_due` at the current instant, for the loop after the rollups."""
    return month_close_due(now=timezone.now())

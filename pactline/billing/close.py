"""Month close: one idempotent step from the month's usage and statement to draft documents.

`month_close` rates the period's usage (`rating_input`, `pactline.core.rating`), computes the
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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.audit.services import audit_record
from pactline.billing.credits import LANGUAGE_CODES, credit_memo_compute, statement_for_month
from pactline.billing.models import (
    CreditMemo,
    DiversionEntry,
    DiversionEntryKind,
    DocumentKind,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    LineKind,
)
from pactline.billing.rating_input import VersionUsage, rating_inputs
from pactline.common.errors import Conflict, DomainError, FieldError, ValidationFailed
from pactline.core.agreement import PerFte, Pricing
from pactline.core.agreement.commercial import Tax
from pactline.core.rating import RatedLine, rate_month, round_line, top_up_line
from pactline.core.rating.engine import SERVICE_MODELS
from pactline.metrics.models import Statement
from pactline.metrics.periods import period_bounds, period_of
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require, system_actor
from pactline.tenancy.models import Client

executes(
    "pricing.currency",
    "pricing.items",
    "pricing.monthly_minimum",
    "pricing.diversion_fees",
    "pricing.pass_through_markup_percent",
    "pricing.after_hours_surcharge.percent",
    "pricing.one_time_fees",
    "pricing.tax",
    "pricing.payment_terms_days",
    "pricing.due_on_request",
)

QUANTITY = Decimal("0.000001")
_WIDE = Context(prec=60)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class LineSpec:
    """An invoice line before it is stored."""

    kind: str
    item: str
    model: str
    description: str
    clause: str
    quantity: Decimal
    unit: str
    rate: Decimal | None
    exact_amount: str
    amount: Decimal
    usage_count: int = 0

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "item": self.item,
            "model": self.model,
            "description": self.description,
            "clause": self.clause,
            "quantity": format(self.quantity, "f"),
            "unit": self.unit,
            "rate": None if self.rate is None else format(self.rate, "f"),
            "exact_amount": self.exact_amount,
            "amount": format(self.amount, "f"),
            "usage_count": self.usage_count,
        }


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_amount: Decimal
    total: Decimal


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
    notes: list[str] = field(default_factory=list)


# --- Figures -----------------------------------------------------------------------------------


def exact_text(amount: Fraction) -> str:
    """The exact amount as a decimal when it has one, else as a fraction."""
    den = amount.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:
        return format(
            _WIDE.divide(Decimal(amount.numerator), Decimal(amount.denominator)).normalize(_WIDE),
            "f",
        )
    return f"{amount.numerator}/{amount.denominator}"


def quantity_of(value: Fraction) -> Decimal:
    """A quantity for the line's column (6 places, half-up); the amount is exact regardless."""
    return _WIDE.divide(Decimal(value.numerator), Decimal(value.denominator)).quantize(
        QUANTITY, rounding=ROUND_HALF_UP
    )


def tax_totals(subtotal: Decimal, tax: Tax | None, currency: str) -> Totals:
    """Exclusive tax is added to the subtotal; inclusive tax is extracted from it."""
    if tax is None:
        return Totals(subtotal, Decimal(0), subtotal)
    rate = Fraction(tax.rate_percent)
    if tax.inclusive:
        amount, _rule = round_line(Fraction(subtotal) * rate / (100 + rate), currency)
        return Totals(subtotal, amount, subtotal)
    amount, _rule = round_line(Fraction(subtotal) * rate / 100, currency)
    return Totals(subtotal, amount, subtotal + amount)


def _clause(pricing: Pricing, line: RatedLine) -> str:
    if line.model == "after_hours":
        return "pricing.after_hours_surcharge"
    if line.model == "minimum_top_up":
        return "pricing.monthly_minimum"
    if line.model == "pass_through":
        return "pricing.pass_through_markup_percent"
    if line.model == "diversion":
        for index, fee in enumerate(pricing.diversion_fees):
            if line.item == f"Diversion to {fee.destination}":
                return f"pricing.diversion_fees[{index}]"
    if line.model == "one_time":
        for index, one in enumerate(pricing.one_time_fees):
            if one.name == line.item:
                return f"pricing.one_time_fees[{index}]"
    base = line.item.removesuffix(" (training)")
    for index, item in enumerate(pricing.items):
        if item.name == base:
            return f"pricing.items[{index}]"
    return "pricing"


def _spec(
    pricing: Pricing, line: RatedLine, currency: str, note: str, kind: str = LineKind.CHARGE
) -> LineSpec:
    amount, _rule = round_line(line.amount, currency)
    description = "; ".join(part for part in (line.detail, note) if part)
    return LineSpec(
        kind=kind,
        item=line.item,
        model=line.model,
        description=description[:300],
        clause=_clause(pricing, line),
        quantity=quantity_of(line.quantity),
        unit=line.unit,
        rate=line.rate,
        exact_amount=exact_text(line.amount),
        amount=amount,
        usage_count=len(line.usage_ids),
    )


def rated_lines(
    parts: Sequence[VersionUsage], period_version: AgreementVersion
) -> list[tuple[Pricing, RatedLine, str]]:
    """Each version's usage under its own pricing; per-FTE items and the monthly minimum
    from the version in force at the period's end. (pricing, line, note) in order."""
    several = len(parts) > 1
    lines: list[tuple[Pricing, RatedLine, str]] = []
    for part in parts:
        pricing = part.version.terms.pricing
        own = part.version.pk == period_version.pk
        items = (
            pricing.items if own else tuple(i for i in pricing.items if not isinstance(i, PerFte))
        )
        used = pricing.model_copy(update={"items": items, "monthly_minimum": None})
        version_note = (
            _("agreement version %(number)s") % {"number": part.version.number} if several else ""
        )
        for line in rate_month(used, part.usage, in_hours=part.in_hours):
            note = version_note
            if line.model == "per_fte":
                note = _("from agreement version %(number)s, in force at the period's end") % {
                    "number": period_version.number
                }
            lines.append((pricing, line, note))
    final = period_version.terms.pricing
    top_up = top_up_line(final, [line for _p, line, _n in lines])
    if top_up is not None:
        note = _("from agreement version %(number)s, in force at the period's end") % {
            "number": period_version.number
        }
        lines.append((final, top_up, note))
    return lines


def _money(amount: Decimal, currency: str) -> Decimal:
    return round_line(amount, currency)[0]


def diversion_lines(
    client: Client, start: datetime, end: datetime, rated: Decimal, currency: str
) -> list[LineSpec]:
    """The month's draws on the diversion prepayment (they pay the diversion charges, up to
    the rated amount) and the balance at the period's end (an information line of 0)."""
    entries = DiversionEntry.objects.filter(client=client, at__lt=end)
    if not entries.exists():
        return []
    month = entries.filter(at__gte=start)
    drawn = -(month.filter(kind=DiversionEntryKind.DRAW).aggregate(s=Sum("amount"))["s"] or 0)
    topped = month.filter(kind=DiversionEntryKind.TOP_UP).aggregate(s=Sum("amount"))["s"] or 0
    balance = entries.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    specs = []
    applied = min(Decimal(drawn), rated)
    if applied > 0:
        specs.append(
            LineSpec(
                kind=LineKind.ADJUSTMENT,
                item="Diversion charges paid from the prepayment",
                model="diversion_draw",
                description=_("drawn from the diversion prepayment this month: %(drawn)s")
                % {"drawn": _money(Decimal(drawn), currency)},
                clause="pricing.diversion_prepayment",
                quantity=Decimal(month.filter(kind=DiversionEntryKind.DRAW).count()),
                unit="charge",
                rate=None,
                exact_amount=format(-applied, "f"),
                amount=-_money(applied, currency),
            )
        )
    specs.append(
        LineSpec(
            kind=LineKind.ADJUSTMENT,
            item="Diversion prepayment balance",
            model="diversion_balance",
            description=_("top-ups this month %(topped)s, drawn %(drawn)s, balance %(balance)s")
            % {
                "topped": _money(Decimal(topped), currency),
                "drawn": _money(Decimal(drawn), currency),
                "balance": _money(Decimal(balance), currency),
            },
            clause="pricing.diversion_prepayment",
            quantity=_money(Decimal(balance), currency),
            unit="amount",
            rate=None,
            exact_amount="0",
            amount=Decimal(0),
        )
    )
    return specs


def credit_spec(total: Decimal, currency: str, sign: int) -> LineSpec:
    amount = _money(total, currency)
    return LineSpec(
        kind=LineKind.CREDIT,
        item="Service credits",
        model="service_credit",
        description=_("service credits for missed service levels (see the credit memo)"),
        clause="service_credits",
        quantity=Decimal(1),
        unit="amount",
        rate=None,
        exact_amount=format(sign * total, "f"),
        amount=sign * amount,
    )


def earned_back_specs(memo: CreditMemo | None, currency: str) -> list[LineSpec]:
    if memo is None:
        return []
    return [
        LineSpec(
            kind=LineKind.ADJUSTMENT,
            item=f"Service credit of {found['month']} earned back",
            model="earn_back",
            description=_("every service level met in the months after it"),
            clause="service_credits.earn_back",
            quantity=Decimal(1),
            unit="amount",
            rate=None,
            exact_amount=found["amount"],
            amount=_money(Decimal(found["amount"]), currency),
        )
        for found in memo.content.get("earned_back", [])
    ]


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
    for note in invoice.corrections.exclude(pk=getattr(leave_out, "pk", None)):
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
    specs = [_spec(p, line, currency, note) for p, line, note in rated]
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
    credit_total = _money(credited, currency) if as_note else Decimal(0)
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
        CreditMemo.objects.filter(pk=memo.pk).update(invoice=carrier)
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
    invoice yet; one line per client closed or refused."""
    actor = system_actor("billing")
    done: list[str] = []
    for client in Client.objects.filter(is_active=True).order_by("code"):
        first = _last_ended_month(client, now)
        if Invoice.objects.filter(
            client=client, kind=DocumentKind.INVOICE, period_start=first
        ).exists():
            continue
        if statement_for_month(client, first) is None:
            continue
        try:
            outcome = month_close(actor=actor, client=client, period_start=first, now=now)
        except DomainError as error:
            done.append(f"{client.code} {first:%Y-%m}: not closed: {error}")
            continue
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

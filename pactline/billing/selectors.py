"""Reads of billing, scoped by the actor (`access.py` decides what is theirs).

- Invoices and notes: issued ones for whoever reads the client's billing, drafts only for the
  provider's billing roles.
- A line's usage: the `UsageRecord`s of the invoice's period (its local days in the invoice's
  time zone) rated by the line's price item under the invoice's agreement version.
- The statement of account: issued documents and payments in date order with the running
  balance the client owes (invoices and debit notes add, credit notes and payments subtract).
- Periods to close: each managed client's last ended month (in the client's time zone) that
  has no issued invoice yet, with its draft when month close has written one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from pactline.agreements.selectors import agreement_version_in_force
from pactline.billing.access import (
    access_invoice,
    managed_clients,
    readable_invoices,
    sees_drafts,
)
from pactline.billing.documents import line_records
from pactline.billing.models import (
    CreditExclusion,
    CreditMemo,
    DiversionEntry,
    DocumentKind,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    UsageRecord,
    UsageSource,
    VolumeForecast,
)
from pactline.billing.presentation import result_text
from pactline.billing.services import invoice_outstanding
from pactline.metrics.periods import period_bounds
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, clients_with
from pactline.tenancy.models import Client

ZERO = Decimal(0)


def invoice_list(
    *,
    actor: Actor,
    client: Client | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> QuerySet[Invoice]:
    """The actor's invoices and notes, newest period first."""
    rows = readable_invoices(actor).select_related("client")
    if client is not None:
        rows = rows.filter(client=client)
    if status is not None:
        rows = rows.filter(status=status)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.order_by("-period_start", "-created_at", "-id")


def invoice_get(*, actor: Actor, invoice_id: int) -> Invoice:
    """One invoice the actor may read (NotFound otherwise), lines prefetched."""
    return access_invoice(actor, invoice_id)


def invoice_lines(invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.order_by("position")


def line_usage(line: InvoiceLine) -> QuerySet[UsageRecord]:
    """The usage records behind a line, oldest first: the same records as its CSV
    (`documents.line_records`: the item's records of the document's period; for an
    after-hours line those outside hours, for a diversion line the diverted legs)."""
    return line_records(line).order_by("at", "id")


def usage_list(
    *,
    client: Client,
    first: date | None = None,
    last: date | None = None,
    item: str | None = None,
) -> QuerySet[UsageRecord]:
    """A client's usage records (the caller has authorized the client), optionally of the
    local days `first`..`last` and of one price item, oldest first."""
    rows = UsageRecord.objects.filter(client=client)
    if first is not None and last is not None:
        start, end = period_bounds(first, last, client_zone(client))
        rows = rows.filter(at__gte=start, at__lt=end)
    if item is not None:
        rows = rows.filter(price_item=item)
    return rows.order_by("at", "id")


# --- Credits -----------------------------------------------------------------------------------


def credit_memo_list(*, actor: Actor, client: Client | None = None) -> QuerySet[CreditMemo]:
    """The service-credit memos the actor may read, newest month first: for the client's own
    users only those whose document is issued (or that carry no document)."""
    readable = clients_with(actor, Permission.BILLING_VIEW)
    drafting = [client_id for client_id in readable if sees_drafts(actor, client_id)]
    rows = CreditMemo.objects.filter(client_id__in=readable).filter(
        Q(client_id__in=drafting)
        | Q(invoice__isnull=True)
        | Q(invoice__status=DocumentStatus.ISSUED)
    )
    if client is not None:
        rows = rows.filter(client=client)
    return rows.select_related("client", "invoice").order_by("-month", "-computed_at", "-id")


def latest_memos(memos: Iterable[CreditMemo]) -> list[CreditMemo]:
    """The latest memo of each month (a reissued statement's memo replaces the month's)."""
    seen: set[tuple[int, date]] = set()
    kept = []
    for memo in sorted(memos, key=lambda m: (m.month, m.computed_at, m.pk), reverse=True):
        key = (memo.client_id, memo.month)
        if key not in seen:
            seen.add(key)
            kept.append(memo)
    return kept


@dataclass(frozen=True)
class MemoLine:
    """A line of a credit memo as stored at close (`CreditMemo.content["lines"]`, the core's
    `LevelCredit` with decimals as text): the reason is the core's English template with
    its parameters, translated when shown."""

    reference: str
    clause: str
    target: str
    value: str | None
    verdict: str
    status: str
    amount: Decimal
    credited: Decimal
    reason: str
    params: dict[str, Any]


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else ZERO
    except ArithmeticError:
        return ZERO


def memo_lines(memo: CreditMemo) -> list[MemoLine]:
    """The memo's lines, in its order."""
    lines = memo.content.get("lines", []) if isinstance(memo.content, dict) else []
    return [
        MemoLine(
            reference=str(line.get("reference", "")),
            clause=str(line.get("clause", "")),
            target=str(line.get("target", "")),
            value=None if line.get("value") is None else result_text(line["value"]),
            verdict=str(line.get("verdict", "")),
            status=str(line.get("status", "")),
            amount=_decimal(line.get("amount")),
            credited=_decimal(line.get("credited", line.get("amount"))),
            reason=str(line.get("reason", "")),
            params=dict(line.get("params") or {}),
        )
        for line in lines
        if isinstance(line, dict)
    ]


def memo_note(memo: CreditMemo) -> tuple[str, dict[str, Any]] | None:
    """The memo's note (why the total is capped) and its parameters, when it has one."""
    content = memo.content if isinstance(memo.content, dict) else {}
    note = content.get("note")
    if not note:
        return None
    return str(note), dict(content.get("note_params") or {})


def exclusion_list(*, client: Client) -> QuerySet[CreditExclusion]:
    return CreditExclusion.objects.filter(client=client).order_by("-month", "reference", "id")


def forecast_months(*, client: Client) -> list[dict[str, Any]]:
    """Each month and reference forecast: its intervals, their total and the last upload."""
    rows = (
        VolumeForecast.objects.filter(client=client)
        .values("month", "reference")
        .annotate(
            intervals=Count("id"),
            total=Sum("forecast"),
            shortest=Min("minutes"),
            uploaded_at=Max("uploaded_at"),
            uploaded_by=Max("uploaded_by"),
        )
        .order_by("-month", "reference")
    )
    return [dict(row) for row in rows]


def pass_through_list(*, client: Client) -> QuerySet[UsageRecord]:
    """The client's pass-through charges, latest first."""
    return UsageRecord.objects.filter(client=client, source=UsageSource.PASS_THROUGH).order_by(
        "-at", "-id"
    )


# --- Diversion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    entry: DiversionEntry
    balance: Decimal  # after this entry


def diversion_ledger(*, client: Client) -> list[LedgerRow]:
    """The prepaid diversion ledger, oldest first, with the balance after each entry."""
    balance = ZERO
    rows = []
    for entry in DiversionEntry.objects.filter(client=client).order_by("at", "id"):
        balance += entry.amount
        rows.append(LedgerRow(entry, balance))
    return rows


# --- Payments, overdue, statement of account ---------------------------------------------------


MONEY_PLACES = Decimal("0.000001")  # the money fields' decimal places


def paid_amount(invoice: Invoice) -> Decimal:
    """The payments' sum, at the money fields' places whatever the database returns."""
    paid = Payment.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
    return (paid if paid is not None else ZERO).quantize(MONEY_PLACES)


def _owed(invoice: Invoice) -> Decimal:
    """What the document adds to the client's balance: a credit note subtracts."""
    amount = abs(invoice.total)
    return -amount if invoice.kind == DocumentKind.CREDIT_NOTE else amount


@dataclass(frozen=True)
class Overdue:
    invoice: Invoice
    paid: Decimal
    outstanding: Decimal
    days_late: int


def overdue_list(*, actor: Actor, today: date) -> list[Overdue]:
    """Issued invoices and debit notes past their due date with something still owed (their
    total less payments and issued credit notes), the most late first. A document due on
    request is due from its date."""
    rows = invoice_list(actor=actor, status=DocumentStatus.ISSUED).exclude(
        kind=DocumentKind.CREDIT_NOTE
    )
    found = []
    for invoice in rows:
        due = invoice.due_on or invoice.issued_on
        if due is None or due >= today:
            continue
        outstanding = invoice_outstanding(invoice)
        if outstanding > 0:
            found.append(Overdue(invoice, paid_amount(invoice), outstanding, (today - due).days))
    return sorted(found, key=lambda row: (-row.days_late, row.invoice.pk))


@dataclass(frozen=True)
class AccountRow:
    day: date
    invoice: Invoice | None
    payment: Payment | None
    debit: Decimal  # what the client came to owe
    credit: Decimal  # what was paid or credited
    balance: Decimal  # owed after this row


@dataclass(frozen=True)
class Account:
    client: Client
    currency: str
    rows: list[AccountRow]
    balance: Decimal


def statement_of_account(*, actor: Actor, client: Client) -> Account:
    """Issued documents and payments of the client (authorized by the caller), by date."""
    documents = invoice_list(actor=actor, client=client, status=DocumentStatus.ISSUED)
    events: list[tuple[date, int, int, Invoice | None, Payment | None]] = [
        (invoice.issued_on or invoice.period_end, 0, invoice.pk, invoice, None)
        for invoice in documents
    ]
    # Payments of the documents listed: issued ones (a payment needs one).
    payments = Payment.objects.filter(client=client, invoice__in=documents)
    events += [(payment.received_on, 1, payment.pk, None, payment) for payment in payments]
    balance = ZERO
    rows = []
    for day, _order, _pk, invoice, payment in sorted(events, key=lambda e: e[:3]):
        debit, credit = ZERO, ZERO
        if invoice is not None:
            owed = _owed(invoice)
            debit, credit = (owed, ZERO) if owed >= 0 else (ZERO, -owed)
        elif payment is not None:
            credit = payment.amount
        balance += debit - credit
        rows.append(AccountRow(day, invoice, payment, debit, credit, balance))
    currency = next((row.invoice.currency for row in rows if row.invoice is not None), "")
    return Account(client, currency, rows, balance)


# --- Periods to close --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodToClose:
    client: Client
    period_start: date
    period_end: date
    draft: Invoice | None


def last_ended_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def periods_to_close(*, actor: Actor, now: datetime) -> list[PeriodToClose]:
    """Each managed client's last ended month without an issued invoice (see the module
    docstring), by client name."""
    found = []
    clients = Client.objects.filter(id__in=managed_clients(actor)).order_by("name", "id")
    for client in clients:
        if agreement_version_in_force(client, now) is None:
            continue
        today = now.astimezone(client_zone(client, now)).date()
        first, last = last_ended_month(today)
        documents = Invoice.objects.filter(
            client=client, kind=DocumentKind.INVOICE, period_start=first
        )
        if documents.filter(status=DocumentStatus.ISSUED).exists():
            continue
        draft = documents.filter(status=DocumentStatus.DRAFT).first()
        found.append(PeriodToClose(client, first, last, draft))
    return found


def draft_list(*, actor: Actor) -> QuerySet[Invoice]:
    """The drafts waiting to be reviewed and issued, oldest period first."""
    return (
        invoice_list(actor=actor, status=DocumentStatus.DRAFT)
        .filter(client_id__in=managed_clients(actor))
        .order_by("period_start", "client__name", "id")
    )

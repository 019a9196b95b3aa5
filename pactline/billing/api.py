"""API: invoices and notes, usage records, service-credit memos, and whether a call may be
forwarded now against the prepaid diversion balance (all read-only); and the one write, the
client's volume forecasts per interval, which a workforce system sends.

Reading takes `BILLING_VIEW` on the client (read-only tokens included); another client's
document is 404 like a missing one, and so is a draft for anyone whose role does not manage
the client's billing. Money is the stored decimal as a string, never a float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pactline.agreements.selectors import agreement_version_in_force
from pactline.billing import selectors
from pactline.billing.access import access_billing, access_invoice
from pactline.billing.diversion import diversion_permitted
from pactline.billing.forecasts import intervals_read, volume_forecasts_replace
from pactline.billing.models import CreditMemo, Invoice, InvoiceLine, UsageRecord
from pactline.billing.presentation import translated
from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.inputs import DAY_MAX, DAY_MIN, SafeStr
from pactline.core.rating import minor_unit
from pactline.metrics.api import ErrorsOut
from pactline.tenancy.access import Permission, access_client
from pactline.tenancy.http import api_actor

router = Router(tags=["billing"])

CLIENT_CODE_MAX = 40  # Client.code
ITEM_MAX = 200  # UsageRecord.price_item
LIMIT_MAX = 500


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class LineOut(Schema):
    position: int
    kind: str
    item: str
    model: str
    description: str
    clause: str
    quantity: str
    unit: str
    rate: str | None
    exact_amount: str
    amount: str
    usage_count: int


class InvoiceOut(Schema):
    id: int
    client: str
    kind: str
    status: str
    number: str
    period_start: date
    period_end: date
    timezone: str
    currency: str
    issued_on: date | None
    due_on: date | None
    due_on_request: bool
    subtotal: str
    tax_name: str
    tax_rate_percent: str | None
    tax_inclusive: bool
    tax_amount: str
    total: str
    corrects: int | None
    reason: str
    rounding_rule: str


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]
    paid: str


def _invoice(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "client": invoice.client.code,
        "kind": invoice.kind,
        "status": invoice.status,
        "number": invoice.number,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "timezone": invoice.timezone,
        "currency": invoice.currency,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "due_on_request": invoice.due_on_request,
        "subtotal": _money(invoice.subtotal),
        "tax_name": invoice.tax_name,
        "tax_rate_percent": _money(invoice.tax_rate_percent),
        "tax_inclusive": invoice.tax_inclusive,
        "tax_amount": _money(invoice.tax_amount),
        "total": _money(invoice.total),
        "corrects": invoice.corrects_id,
        "reason": invoice.reason,
        "rounding_rule": invoice.rounding_rule,
    }


def _line(line: InvoiceLine) -> LineOut:
    return LineOut(
        position=line.position,
        kind=line.kind,
        item=line.item,
        model=line.model,
        description=line.description,
        clause=line.clause,
        quantity=format(line.quantity, "f"),
        unit=line.unit,
        rate=_money(line.rate),
        exact_amount=line.exact_amount,
        amount=format(line.amount, "f"),
        usage_count=line.usage_count,
    )


class InvoiceQuery(Schema):
    client: SafeStr | None = Field(None, max_length=CLIENT_CODE_MAX, description="A client code")
    status: Literal["draft", "issued"] | None = None
    kind: Literal["invoice", "credit_note", "debit_note"] | None = None
    limit: int = Field(100, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/invoices", response=list[InvoiceOut], summary="Invoices, credit and debit notes")
def list_invoices(request: HttpRequest, query: Query[InvoiceQuery]) -> list[InvoiceOut]:
    actor = api_actor(request)
    client = access_billing(actor, query.client) if query.client else None
    rows = selectors.invoice_list(actor=actor, client=client, status=query.status, kind=query.kind)
    window = rows[query.offset : query.offset + query.limit]
    return [InvoiceOut(**_invoice(invoice)) for invoice in window]


@router.get(
    "/invoices/{int:invoice_id}",
    response=InvoiceDetailOut,
    summary="One invoice or note with its lines",
)
def get_invoice(request: HttpRequest, invoice_id: int) -> InvoiceDetailOut:
    invoice = access_invoice(api_actor(request), invoice_id)
    return InvoiceDetailOut(
        **_invoice(invoice),
        lines=[_line(line) for line in selectors.invoice_lines(invoice)],
        paid=format(selectors.paid_amount(invoice), "f"),
    )


class UsageOut(Schema):
    id: int
    source: str
    source_id: int
    part: str
    kind: str
    agreement_version_id: int
    price_item: str
    at: datetime
    channel: str
    service_type: str
    direction: str
    queue: str
    agent: str
    call_id: str
    leg: int
    handled: bool
    event: str
    talk_seconds: int
    hold_seconds: int
    acw_seconds: int
    productive_seconds: int
    logged_seconds: int
    training_seconds: int
    outside_hours: bool
    diverted_to: str
    amount: str | None
    description: str


def _usage(record: UsageRecord) -> UsageOut:
    return UsageOut(
        id=record.pk,
        source=record.source,
        source_id=record.source_id,
        part=record.part,
        kind=record.kind,
        agreement_version_id=record.agreement_version_id,
        price_item=record.price_item,
        at=record.at,
        channel=record.channel,
        service_type=record.service_type,
        direction=record.direction,
        queue=record.queue,
        agent=record.agent,
        call_id=record.call_id,
        leg=record.leg,
        handled=record.handled,
        event=record.event,
        talk_seconds=record.talk_seconds,
        hold_seconds=record.hold_seconds,
        acw_seconds=record.acw_seconds,
        productive_seconds=record.productive_seconds,
        logged_seconds=record.logged_seconds,
        training_seconds=record.training_seconds,
        outside_hours=record.outside_hours,
        diverted_to=record.diverted_to,
        amount=_money(record.amount),
        description=record.description,
    )


class UsageQuery(Schema):
    client: SafeStr = Field(..., min_length=1, max_length=CLIENT_CODE_MAX)
    period: SafeStr | None = Field(
        None, max_length=7, description="A month, YYYY-MM, in the client's time zone"
    )
    item: SafeStr | None = Field(None, max_length=ITEM_MAX, description="A price item's name")
    limit: int = Field(100, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0, le=10_000_000)


def month_bounds(period: str) -> tuple[date, date]:
    """`YYYY-MM` as its first and last day; a `ValidationFailed` on `period` otherwise."""
    year, dash, month = period.partition("-")
    first = None
    digits = dash and year.isascii() and year.isdigit() and month.isascii() and month.isdigit()
    if digits and len(year) == 4 and len(month) == 2 and 1 <= int(month) <= 12 and int(year):
        first = date(int(year), int(month), 1)
    if first is None or not DAY_MIN <= first <= DAY_MAX:
        raise ValidationFailed([FieldError("period", _("must be a month written YYYY-MM"))])
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


@router.get("/usage", response=list[UsageOut], summary="A client's usage records")
def list_usage(request: HttpRequest, query: Query[UsageQuery]) -> list[UsageOut]:
    actor = api_actor(request)
    client = access_billing(actor, query.client)
    first, last = month_bounds(query.period) if query.period else (None, None)
    rows = selectors.usage_list(client=client, first=first, last=last, item=query.item)
    return [_usage(record) for record in rows[query.offset : query.offset + query.limit]]


class CreditLineOut(Schema):
    reference: str
    clause: str
    target: str
    value: str | None
    verdict: str
    status: str
    amount: str
    credited: str
    reason: str  # the English template
    reason_text: str  # filled in, in the request's language
    params: dict[str, Any]


class CreditMemoOut(Schema):
    id: int
    client: str
    month: date
    currency: str
    charges: str
    total: str
    statement_id: int
    invoice_id: int | None
    computed_at: datetime
    lines: list[CreditLineOut]


def _memo(memo: CreditMemo) -> CreditMemoOut:
    return CreditMemoOut(
        id=memo.pk,
        client=memo.client.code,
        month=memo.month,
        currency=memo.currency,
        charges=format(memo.charges, "f"),
        total=format(memo.total, "f"),
        statement_id=memo.statement_id,
        invoice_id=memo.invoice_id,
        computed_at=memo.computed_at,
        lines=[
            CreditLineOut(
                reference=line.reference,
                clause=line.clause,
                target=line.target,
                value=line.value,
                verdict=line.verdict,
                status=line.status,
                amount=format(line.amount, "f"),
                credited=format(line.credited, "f"),
                reason=line.reason,
                reason_text=translated(line.reason, line.params),
                params={key: str(value) for key, value in line.params.items()},
            )
            for line in selectors.memo_lines(memo)
        ],
    )


class CreditQuery(Schema):
    client: SafeStr | None = Field(None, max_length=CLIENT_CODE_MAX, description="A client code")
    limit: int = Field(100, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/credits", response=list[CreditMemoOut], summary="Service-credit memos")
def list_credits(request: HttpRequest, query: Query[CreditQuery]) -> list[CreditMemoOut]:
    actor = api_actor(request)
    client = access_billing(actor, query.client) if query.client else None
    rows = selectors.credit_memo_list(actor=actor, client=client)
    return [_memo(memo) for memo in rows[query.offset : query.offset + query.limit]]


class DiversionQuery(Schema):
    client: SafeStr = Field(..., min_length=1, max_length=CLIENT_CODE_MAX)


class DiversionOut(Schema):
    client: str
    allowed: bool  # forward the call
    flagged: bool  # forwarded with no balance left: the agreement says flag, not refuse
    balance: str


@router.get(
    "/diversion",
    response=DiversionOut,
    summary="May a call be forwarded to an outside number now (the prepaid diversion balance)",
)
def get_diversion(request: HttpRequest, query: Query[DiversionQuery]) -> DiversionOut:
    """What the switch asks before it diverts a call: under `pricing.diversion_prepayment`,
    forwarding stops (`refuse`) or goes on flagged (`flag`) once the balance is used up."""
    actor = api_actor(request)
    client = access_billing(actor, query.client)
    now = timezone.now()
    allowed, flagged, balance = diversion_permitted(client, now=now)
    version = agreement_version_in_force(client, now)
    places = minor_unit(str(version.terms.pricing.currency)) if version is not None else 2
    shown = balance.quantize(Decimal(1).scaleb(-places))
    return DiversionOut(client=client.code, allowed=allowed, flagged=flagged, balance=f"{shown:f}")


class IntervalIn(Schema):
    reference: SafeStr = Field(..., max_length=80, description="phone, or phone.answer_within")
    start: SafeStr = Field(
        ...,
        max_length=40,
        description="ISO 8601; without an offset, in the client's home time zone",
    )
    minutes: int = Field(..., description="The interval's length (30; 1440 for a day)")
    forecast: int = Field(..., description="Contacts expected in the interval")


class ForecastsIn(Schema):
    client: SafeStr = Field(..., min_length=1, max_length=CLIENT_CODE_MAX)
    intervals: list[IntervalIn] = Field(..., min_length=1, max_length=200_000)


class ForecastMonthOut(Schema):
    reference: str
    month: date


class ForecastsOut(Schema):
    intervals: int
    replaced: list[ForecastMonthOut]  # empty: every month was already held as sent


@router.post(
    "/forecasts",
    response={200: ForecastsOut, 422: ErrorsOut},
    summary="Replace the client's volume forecasts of the months the intervals fall in",
)
def put_forecasts(request: HttpRequest, body: ForecastsIn) -> Status[ForecastsOut]:
    """For each reference and month the intervals fall in, they become the forecast (the
    month's forecast is their sum); sending the same intervals again changes nothing. A bad
    interval is named as `intervals[i].field` and nothing is written."""
    actor = api_actor(request)
    client = access_client(actor, body.client, permission=Permission.FORECAST_UPLOAD)
    rows = [
        (
            index,
            {
                "reference": item.reference,
                "start": item.start,
                "minutes": str(item.minutes),
                "forecast": str(item.forecast),
            },
        )
        for index, item in enumerate(body.intervals)
    ]
    intervals, bad = intervals_read(client, rows, lambda index: f"intervals[{index}]")
    if bad:
        raise ValidationFailed(
            [FieldError(f"intervals[{error.line}].{error.path}", error.message) for error in bad]
        )
    done = volume_forecasts_replace(
        actor=actor, client=client, intervals=intervals, now=timezone.now()
    )
    replaced = [ForecastMonthOut(reference=ref, month=month) for ref, month in done.replaced]
    return Status(200, ForecastsOut(intervals=done.intervals, replaced=replaced))

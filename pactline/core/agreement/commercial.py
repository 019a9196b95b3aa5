"""Price and service credits.

Money is ``Decimal`` and exact; rounding to the currency's minor unit happens on invoice
lines, in the billing engine. Rounding increments follow "minimum/increment": a call of
``d`` seconds bills ``minimum`` if ``d <= minimum`` else
``minimum + ceil((d - minimum) / increment) * increment`` (0 s bills 0).

Service credits (per month, capped at ``cap_percent`` of the month's charges, by default
the at-risk amount):

* ``allocation``: each missed credit-bearing level credits ``allocation_percent`` of the
  at-risk amount;
* ``bands``: each miss credits the ``credit_percent`` of the band its shortfall (target minus
  result, in percentage points) falls in, times its allocation of the at-risk amount;
* ``per_miss``: each miss credits ``per_miss_amount``.

Invoicing terms: ``tax`` is added to the charges (or, when ``inclusive``, already in them);
invoices are due ``payment_terms_days`` after their date, or at once when ``due_on_request``
(issued when the client asks); ``late_payment`` charges interest and/or a fee after
``grace_days``; a ``diversion_prepayment`` is paid before calls are forwarded and drawn down by
the diversion fees; telecom pass-through charges are billed only when
``pass_through_markup_percent`` is given (0: at cost). Credits reach the client as a line on
the invoice or as a separate credit note (``applied_as``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator

from pactline.core.agreement.base import (
    ChannelKind,
    Currency,
    Identifier,
    Model,
    Money,
    Percent,
    PositiveSeconds,
    Seconds,
    ServiceType,
    Text,
    Unique,
    check_tag,
    duplicates,
    tag,
    tag_of,
)
from pactline.core.agreement.errors import Issue, custom_error

# --- Pricing ------------------------------------------------------------------------------


class PriceTier(Model):
    """Units up to ``up_to`` (per month) at ``rate``; ``up_to: null`` is the open last tier."""

    up_to: Annotated[int, Field(gt=0)] | None = None
    rate: Money


def _bands(values: Sequence[Decimal | int | None], field: str, at: str) -> Iterator[Issue]:
    """Bounds must increase, and only the last entry is (and must be) open-ended."""
    for index, bound in enumerate(values):
        last = index == len(values) - 1
        if bound is None and not last:
            yield Issue((at, index, field), "open_not_last", {"field": field})
        if bound is not None and last:
            yield Issue((at, index, field), "last_not_open", {"field": field})
        previous = values[index - 1] if index else None
        if bound is not None and previous is not None and bound <= previous:
            yield Issue((at, index, field), "not_increasing", {"previous": previous})


class PriceItem(Model):
    model: str
    name: Text
    description: Text | None = None
    channels: Annotated[tuple[ChannelKind, ...], Unique] = ()
    service_types: Annotated[tuple[ServiceType, ...], Unique] = ()


class TieredItem(PriceItem):
    """A flat ``rate`` or volume ``tiers`` (``graduated``: each band at its rate;
    ``all_units``: every unit at the rate of the band the month's total reaches)."""

    rate: Money | None = None
    tiers: Annotated[tuple[PriceTier, ...], Field(min_length=1)] | None = None
    tier_mode: Literal["graduated", "all_units"] | None = None

    def _issues(self) -> Iterator[Issue]:
        if (self.rate is None) == (self.tiers is None):
            yield Issue((), "exactly_one", {"fields": "rate, tiers"})
        if self.tiers is not None:
            if self.tier_mode is None:
                yield Issue(("tier_mode",), "required_when", {"field": "tiers", "value": "given"})
            yield from _bands([tier.up_to for tier in self.tiers], "up_to", "tiers")
        elif self.tier_mode is not None:
            yield Issue(("tier_mode",), "not_applicable", {"field": "tiers", "value": "absent"})


BillableTime = Literal["talk", "hold", "acw"]


class PerMinute(TieredItem):
    """Handled minutes (``billable`` parts of each call), rounded by minimum/increment."""

    model: Literal["per_minute"]
    minimum_seconds: Seconds = 0
    increment_seconds: PositiveSeconds
    billable: Annotated[tuple[BillableTime, ...], Field(min_length=1), Unique] = ("talk", "hold")
    rounding_scope: Literal["call", "leg", "monthly_total"] = "call"


class PerCall(TieredItem):
    model: Literal["per_call"]
    counts: Literal["handled", "offered", "outbound_attempt"] = "handled"


class PerTicket(TieredItem):
    model: Literal["per_ticket"]
    counts: Literal["resolved", "created"] = "resolved"


class PerHour(PriceItem):
    """Approved agent hours: ``productive`` (handling work) or ``logged`` (signed in)."""

    model: Literal["per_hour"]
    rate: Money
    hour_kind: Literal["productive", "logged"]
    training_rate: Money | None = None


class PerFte(PriceItem):
    """A fixed monthly rate per dedicated full-time agent."""

    model: Literal["per_fte"]
    monthly_rate: Money
    ftes: Annotated[Decimal, Field(gt=0, le=100_000, decimal_places=2)]


PRICE_MODELS = ("per_minute", "per_call", "per_hour", "per_fte", "per_ticket")

PriceItemSpec = Annotated[
    Annotated[PerMinute, Tag(tag("per_minute"))]
    | Annotated[PerCall, Tag(tag("per_call"))]
    | Annotated[PerHour, Tag(tag("per_hour"))]
    | Annotated[PerFte, Tag(tag("per_fte"))]
    | Annotated[PerTicket, Tag(tag("per_ticket"))],
    Discriminator(tag_of("model", PRICE_MODELS)),
    BeforeValidator(check_tag("model", PRICE_MODELS)),
]


class DiversionFee(Model):
    """Per-minute fee for forwarding calls to an outside number, with its own rounding."""

    destination: Literal["mobile", "international", "landline"]
    rate: Money
    minimum_seconds: Seconds = 0
    increment_seconds: PositiveSeconds = 60


class AfterHoursSurcharge(Model):
    """``percent`` added to usage outside the hours of ``calendar``."""

    percent: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)]
    calendar: Identifier


class OneTimeFee(Model):
    name: Text
    amount: Money
    description: Text | None = None


class DiversionPrepayment(Model):
    """``amount`` paid before forwarding starts, drawn down by the diversion fees; once it is
    used up, forwarding is refused or goes on and is flagged (``when_exhausted``)."""

    amount: Annotated[Money, Field(gt=0)]
    when_exhausted: Literal["refuse", "flag"] = "refuse"


RatePercent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2, allow_inf_nan=False)]


class Tax(Model):
    """A tax on the charges (e.g. GST, 增值税); ``inclusive``: the prices already include it."""

    name: Text
    rate_percent: RatePercent
    inclusive: bool = False


class LatePayment(Model):
    """Interest (simple, per year) and/or a fixed fee on an invoice paid more than
    ``grace_days`` after it fell due."""

    interest_percent_per_year: RatePercent | None = None
    fixed_fee: Money | None = None
    grace_days: Annotated[int, Field(ge=0, le=365)] = 0

    def _issues(self) -> Iterator[Issue]:
        if self.interest_percent_per_year is None and self.fixed_fee is None:
            yield Issue((), "at_least_one", {"fields": "interest_percent_per_year, fixed_fee"})


class Pricing(Model):
    """Charges in ``currency``; ``monthly_minimum`` is a take-or-pay commitment."""

    currency: Currency
    items: Annotated[tuple[PriceItemSpec, ...], Field(min_length=1)]
    monthly_minimum: Money | None = None
    diversion_fees: tuple[DiversionFee, ...] = ()
    diversion_prepayment: DiversionPrepayment | None = None
    pass_through_markup_percent: Percent | None = None
    after_hours_surcharge: AfterHoursSurcharge | None = None
    one_time_fees: tuple[OneTimeFee, ...] = ()
    tax: Tax | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] = 30
    due_on_request: bool = False
    late_payment: LatePayment | None = None

    @model_validator(mode="before")
    @classmethod
    def _due_at_once(cls, data: Any) -> Any:
        """Invoices due on request have no payment terms unless the document states some."""
        if isinstance(data, dict) and data.get("due_on_request") is True:
            return {"payment_terms_days": 0, **data}
        return data

    def _issues(self) -> Iterator[Issue]:
        for issue in duplicates([item.name for item in self.items], "name"):
            yield Issue(("items", *issue.path), issue.code, issue.params)
        for issue in duplicates([fee.destination for fee in self.diversion_fees], "destination"):
            yield Issue(("diversion_fees", *issue.path), issue.code, issue.params)
        if self.due_on_request and self.payment_terms_days != 0:
            yield Issue(
                ("payment_terms_days",),
                "not_applicable",
                {"field": "due_on_request", "value": "true"},
            )
        if self.diversion_prepayment is not None and not self.diversion_fees:
            yield Issue(
                ("diversion_prepayment",),
                "not_applicable",
                {"field": "diversion_fees", "value": "empty"},
            )


# --- Service credits ----------------------------------------------------------------------


def _check_reference(value: str) -> str:
    channel, dot, metric = value.partition(".")
    if not (dot and channel and metric and "." not in metric):
        raise custom_error("service_level_ref", value=value)
    return value


ServiceLevelRef = Annotated[str, AfterValidator(_check_reference)]


class CreditAllocation(Model):
    """A credit-bearing service level, named ``<channel>.<metric>``, and its share."""

    service_level: ServiceLevelRef
    allocation_percent: Annotated[Percent, Field(gt=0)]

    @property
    def channel(self) -> str:
        return self.service_level.partition(".")[0]

    @property
    def metric(self) -> str:
        return self.service_level.partition(".")[2]


class CreditBand(Model):
    """Shortfalls up to ``shortfall_up_to_points`` below target credit ``credit_percent``."""

    shortfall_up_to_points: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    credit_percent: Percent


class EarnBack(Model):
    """A credit is waived when every level is met for the next N consecutive months."""

    enabled: bool = False
    consecutive_months_met: Annotated[int, Field(ge=1, le=24)] | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.enabled and self.consecutive_months_met is None:
            yield Issue(
                ("consecutive_months_met",), "required_when", {"field": "enabled", "value": "true"}
            )


class ChronicFailure(Model):
    """``misses`` of a level within ``window_months`` give the client a termination right."""

    misses: Annotated[int, Field(ge=1)]
    window_months: Annotated[int, Field(ge=1, le=24)]

    def _issues(self) -> Iterator[Issue]:
        if self.misses > self.window_months:
            yield Issue(("misses",), "le", {"limit": self.window_months})


class ServiceCredits(Model):
    at_risk_percent: Percent
    pool_percent: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)] = Decimal(100)
    scheme: Literal["allocation", "bands", "per_miss"]
    allocations: tuple[CreditAllocation, ...] = ()
    bands: Annotated[tuple[CreditBand, ...], Field(min_length=1)] | None = None
    per_miss_amount: Money | None = None
    cap_percent: Percent | None = None
    earn_back: EarnBack = EarnBack()
    chronic_failure: ChronicFailure | None = None
    forecast_tolerance_percent: Percent | None = None
    exclusions: Annotated[tuple[Text, ...], Unique] = ()
    applied_as: Literal["invoice_line", "credit_note"] = "invoice_line"

    @property
    def effective_cap_percent(self) -> Decimal:
        return self.at_risk_percent if self.cap_percent is None else self.cap_percent

    def _issues(self) -> Iterator[Issue]:
        for issue in duplicates([a.service_level for a in self.allocations], "service_level"):
            yield Issue(("allocations", *issue.path), issue.code, issue.params)
        total = sum((a.allocation_percent for a in self.allocations), Decimal(0))
        if total > self.pool_percent:
            yield Issue(
                ("allocations",), "allocation_total", {"total": total, "pool": self.pool_percent}
            )
        if self.scheme in ("allocation", "bands") and not self.allocations:
            yield Issue(
                ("allocations",), "required_when", {"field": "scheme", "value": self.scheme}
            )
        if self.scheme == "bands" and self.bands is None:
            yield Issue(("bands",), "required_when", {"field": "scheme", "value": "bands"})
        if self.scheme != "bands" and self.bands is not None:
            yield Issue(("bands",), "not_applicable", {"field": "scheme", "value": self.scheme})
        if self.bands is not None:
            yield from _bands(
                [b.shortfall_up_to_points for b in self.bands], "shortfall_up_to_points", "bands"
            )
        if self.scheme == "per_miss" and self.per_miss_amount is None:
            yield Issue(
                ("per_miss_amount",), "required_when", {"field": "scheme", "value": "per_miss"}
            )
        if self.scheme != "per_miss" and self.per_miss_amount is not None:
            yield Issue(
                ("per_miss_amount",), "not_applicable", {"field": "scheme", "value": self.scheme}
            )

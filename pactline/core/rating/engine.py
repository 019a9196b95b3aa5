"""Rating a month's usage under an agreement's ``pricing`` (pure; never reads a clock).

Which records an item rates: those whose ``channel`` is in the item's ``channels`` and whose
``service_type`` is in its ``service_types`` (an empty list matches every record; a record
without a service type matches only items without that filter). Items of one model with
overlapping filters bill the same record twice; the agreement must keep them apart.

* ``per_minute``: the item's ``billable`` parts of each leg, rounded by minimum/increment per
  call (the call's matched legs summed), per leg, or once on the month's summed seconds
  (``rounding_scope``); the unit is a billable minute, billable seconds / 60 exactly.
* ``per_call``: calls counted by their first leg: ``handled`` (inbound and answered),
  ``offered`` (inbound, answered or not) or ``outbound_attempt`` (outbound, reached or not).
* ``per_ticket``: ticket events of the item's ``counts`` kind.
* ``per_hour``: productive or logged seconds / 3600; training seconds make a second line at
  ``training_rate`` (at ``rate`` when the agreement gives none).
* ``per_fte``: ``ftes`` × ``monthly_rate``.
* Tiers apply to the month's quantity of the item (:mod:`~pactline.core.rating.tiers`).
* After-hours surcharge: ``percent`` of the amount of the usage that started outside the
  calendar's hours (``in_hours`` is injected, e.g. ``BusinessCalendar.is_open``). A call
  rounded per call starts with its earliest matched leg. Of a tiered item the after-hours
  units are taken as the month's last (:func:`~pactline.core.rating.tiers.top_share`); under
  ``monthly_total`` rounding they are the after-hours legs' raw seconds (the rounding
  belongs to the month's sum, not to a part of it). FTE, fees and pass-through charges are
  not surcharged.
* Diversion fees: a leg with ``diverted_to`` bills its talk seconds, rounded per leg by the
  fee's own minimum/increment, at the fee's per-minute rate.
* Monthly minimum (take-or-pay): when the exact sum of the service lines (every model but
  one-time fees and pass-through charges) is below ``monthly_minimum``, a top-up line brings
  it to the minimum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from pactline.core.agreement import (
    PerCall,
    PerFte,
    PerHour,
    PerMinute,
    PerTicket,
    Pricing,
)
from pactline.core.agreement.commercial import DiversionFee, PriceItem, TieredItem
from pactline.core.rating.increments import billable_seconds
from pactline.core.rating.lines import RatedLine
from pactline.core.rating.tiers import price, top_share
from pactline.core.rating.usage import AgentHours, CallLeg, TicketEvent, Usage

InHours = Callable[[datetime], bool]

SERVICE_MODELS = frozenset(
    ("per_minute", "per_call", "per_ticket", "per_hour", "per_fte", "after_hours", "diversion")
)
TOP_UP_NAME = "Monthly minimum top-up"


@dataclass(frozen=True, slots=True)
class Rated:
    """An item's line, and the amount and records of its usage outside business hours."""

    line: RatedLine
    after_amount: Fraction = Fraction(0)
    after_ids: tuple[str, ...] = ()


def matches(item: PriceItem, channel: str | None, service_type: str | None) -> bool:
    """Whether a record of ``channel``/``service_type`` falls under ``item``."""
    if item.channels and channel not in item.channels:
        return False
    return not item.service_types or service_type in item.service_types


def _outside(in_hours: InHours | None, at: datetime) -> bool:
    return in_hours is not None and not in_hours(at)


def _tiered(
    item: TieredItem,
    unit: str,
    quantity: Fraction,
    after: Fraction,
    ids: Iterable[str],
    after_ids: Iterable[str],
) -> Rated:
    priced = price(quantity, rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode)
    after_amount = top_share(
        quantity, after, rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode
    )
    line = RatedLine(
        item=item.name,
        model=item.model,  # type: ignore[arg-type]
        quantity=quantity,
        unit=unit,  # type: ignore[arg-type]
        rate=priced.rate,
        amount=priced.amount,
        usage_ids=tuple(sorted(ids)),
        detail=priced.detail,
    )
    return Rated(line, after_amount, tuple(sorted(after_ids)))


# --- Per minute -----------------------------------------------------------------------------


def rate_per_minute(
    item: PerMinute, legs: Sequence[CallLeg], in_hours: InHours | None = None
) -> Rated:
    """The item's billable minutes of ``legs`` (the plain per-record reference)."""
    mine = [leg for leg in legs if matches(item, leg.channel, leg.service_type)]
    minimum, increment = item.minimum_seconds, item.increment_seconds
    total = after = 0
    after_ids: list[str] = []
    if item.rounding_scope == "leg":
        for leg in mine:
            billed = billable_seconds(leg.seconds(item.billable), minimum, increment)
            total += billed
            if _outside(in_hours, leg.at):
                after += billed
                after_ids.append(leg.id)
    elif item.rounding_scope == "call":
        calls: dict[str, list[CallLeg]] = defaultdict(list)
        for leg in mine:
            calls[leg.call_id].append(leg)
        for call in calls.values():
            seconds = sum(leg.seconds(item.billable) for leg in call)
            billed = billable_seconds(seconds, minimum, increment)
            total += billed
            if _outside(in_hours, min(leg.at for leg in call)):
                after += billed
                after_ids.extend(leg.id for leg in call)
    else:
        raw = 0
        for leg in mine:
            seconds = leg.seconds(item.billable)
            raw += seconds
            if _outside(in_hours, leg.at):
                after += seconds
                after_ids.append(leg.id)
        total = billable_seconds(raw, minimum, increment)
    return _tiered(
        item,
        "minute",
        Fraction(total, 60),
        Fraction(after, 60),
        (leg.id for leg in mine),
        after_ids,
    )


# --- Counted items ------------------------------------------------------------------------


def call_counted(item: PerCall, leg: CallLeg) -> bool:
    """Whether the first leg ``leg`` makes its call count under ``item``."""
    if item.counts == "handled":
        return leg.direction == "inbound" and leg.handled
    if item.counts == "offered":
        return leg.direction == "inbound"
    return leg.direction == "outbound"


def rate_per_call(item: PerCall, legs: Sequence[CallLeg], in_hours: InHours | None = None) -> Rated:
    """The item's calls (first legs) counted and priced."""
    counted = [
        leg
        for leg in legs
        if leg.leg == 0 and matches(item, leg.channel, leg.service_type) and call_counted(item, leg)
    ]
    outside = [leg.id for leg in counted if _outside(in_hours, leg.at)]
    return _tiered(
        item,
        "call",
        Fraction(len(counted)),
        Fraction(len(outside)),
        (leg.id for leg in counted),
        outside,
    )


def rate_per_ticket(
    item: PerTicket, tickets: Sequence[TicketEvent], in_hours: InHours | None = None
) -> Rated:
    """The item's ticket events counted and priced."""
    counted = [
        t for t in tickets if t.event == item.counts and matches(item, t.channel, t.service_type)
    ]
    outside = [t.id for t in counted if _outside(in_hours, t.at)]
    return _tiered(
        item,
        "ticket",
        Fraction(len(counted)),
        Fraction(len(outside)),
        (t.id for t in counted),
        outside,
    )


# --- Time and seats -----------------------------------------------------------------------


def _hours_line(
    name: str, rate: Decimal, records: Sequence[tuple[AgentHours, int]], in_hours: InHours | None
) -> Rated:
    seconds = sum(s for _, s in records)
    after = sum(s for r, s in records if _outside(in_hours, r.at))
    quantity = Fraction(seconds, 3600)
    line = RatedLine(
        item=name,
        model="per_hour",
        quantity=quantity,
        unit="hour",
        rate=rate,
        amount=quantity * Fraction(rate),
        usage_ids=tuple(sorted(r.id for r, _ in records)),
        detail=f"{seconds} s / 3600 @ {rate}",
    )
    after_ids = tuple(sorted(r.id for r, s in records if _outside(in_hours, r.at)))
    return Rated(line, Fraction(after, 3600) * Fraction(rate), after_ids)


def rate_per_hour(
    item: PerHour, hours: Sequence[AgentHours], in_hours: InHours | None = None
) -> list[Rated]:
    """The item's productive or logged hours, and its training hours when there are any."""
    mine = [h for h in hours if matches(item, h.channel, h.service_type)]
    kind = [
        (h, h.productive_seconds if item.hour_kind == "productive" else h.logged_seconds)
        for h in mine
    ]
    rated = [_hours_line(item.name, item.rate, kind, in_hours)]
    training = [(h, h.training_seconds) for h in mine if h.training_seconds]
    if training:
        rate = item.rate if item.training_rate is None else item.training_rate
        rated.append(_hours_line(f"{item.name} (training)", rate, training, in_hours))
    return rated


def rate_per_fte(item: PerFte) -> Rated:
    """``ftes`` × ``monthly_rate`` for the month."""
    ftes = Fraction(item.ftes)
    return Rated(
        RatedLine(
            item=item.name,
            model="per_fte",
            quantity=ftes,
            unit="fte",
            rate=item.monthly_rate,
            amount=ftes * Fraction(item.monthly_rate),
            detail=f"{item.ftes} FTE @ {item.monthly_rate}",
        )
    )


# --- Around the items ---------------------------------------------------------------------


def surcharge_line(rated: Rated, percent: Decimal) -> RatedLine | None:
    """``percent`` of the after-hours amount of an item's line; None without such usage."""
    if not rated.after_ids and not rated.after_amount:
        return None
    share = percent.scaleb(-2)  # exact: a power-of-ten shift
    return RatedLine(
        item=f"{rated.line.item} (after hours)",
        model="after_hours",
        quantity=rated.after_amount,
        unit="amount",
        rate=share,
        amount=rated.after_amount * Fraction(share),
        usage_ids=rated.after_ids,
        detail=f"{percent}% of the after-hours amount",
    )


def rate_diversion(fee: DiversionFee, legs: Sequence[CallLeg]) -> RatedLine | None:
    """The diverted legs' talk seconds, each rounded by the fee's rule; None without any."""
    diverted = [leg for leg in legs if leg.diverted_to == fee.destination]
    if not diverted:
        return None
    seconds = sum(
        billable_seconds(leg.talk_seconds, fee.minimum_seconds, fee.increment_seconds)
        for leg in diverted
    )
    quantity = Fraction(seconds, 60)
    return RatedLine(
        item=f"Diversion to {fee.destination}",
        model="diversion",
        quantity=quantity,
        unit="minute",
        rate=fee.rate,
        amount=quantity * Fraction(fee.rate),
        usage_ids=tuple(sorted(leg.id for leg in diverted)),
        detail=f"{seconds} s / 60 @ {fee.rate}",
    )


def rate_one_time(pricing: Pricing, usage: Usage) -> list[RatedLine]:
    """One line per one-time fee billed this month (quantity = its occurrences)."""
    known = {fee.name: fee for fee in pricing.one_time_fees}
    by_name: dict[str, list[str]] = defaultdict(list)
    for occurrence in usage.fees:
        if occurrence.name not in known:
            raise ValueError(f"fees: no one-time fee named {occurrence.name!r}")
        by_name[occurrence.name].append(occurrence.id)
    lines = []
    for fee in pricing.one_time_fees:
        ids = by_name.get(fee.name)
        if ids:
            lines.append(
                RatedLine(
                    item=fee.name,
                    model="one_time",
                    quantity=Fraction(len(ids)),
                    unit="fee",
                    rate=fee.amount,
                    amount=len(ids) * Fraction(fee.amount),
                    usage_ids=tuple(sorted(ids)),
                )
            )
    return lines


def rate_pass_through(usage: Usage) -> list[RatedLine]:
    """One line per description, at cost (quantity = the number of charges)."""
    groups: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for charge in usage.pass_through:
        groups[charge.description].append((charge.id, charge.amount))
    return [
        RatedLine(
            item=description,
            model="pass_through",
            quantity=Fraction(len(charges)),
            unit="charge",
            rate=None,
            amount=sum((Fraction(amount) for _, amount in charges), Fraction(0)),
            usage_ids=tuple(sorted(i for i, _ in charges)),
            detail="at cost",
        )
        for description, charges in sorted(groups.items())
    ]


def top_up_line(pricing: Pricing, lines: Sequence[RatedLine]) -> RatedLine | None:
    """The take-or-pay top-up to ``monthly_minimum``; None when the services reach it."""
    if pricing.monthly_minimum is None:
        return None
    services = sum((line.amount for line in lines if line.model in SERVICE_MODELS), Fraction(0))
    short = Fraction(pricing.monthly_minimum) - services
    if short <= 0:
        return None
    return RatedLine(
        item=TOP_UP_NAME,
        model="minimum_top_up",
        quantity=Fraction(1),
        unit="amount",
        rate=None,
        amount=short,
        detail=f"monthly minimum {pricing.monthly_minimum} less service charges",
    )


# --- The month ------------------------------------------------------------------------------


def rate_month(
    pricing: Pricing, usage: Usage, *, in_hours: InHours | None = None
) -> tuple[RatedLine, ...]:
    """Every line of the month, in the agreement's order: each item (its training line and
    after-hours surcharge after it), diversion fees, one-time fees, pass-through charges,
    and the minimum top-up last. Every usage item has a line, zero or not.

    ``in_hours`` says whether an instant is within the surcharge calendar's hours; it is
    required when the pricing has an after-hours surcharge.
    """
    surcharge = pricing.after_hours_surcharge
    if surcharge is not None and in_hours is None:
        raise ValueError(
            f"in_hours is required: the surcharge needs calendar {surcharge.calendar!r}"
        )
    judge = in_hours if surcharge is not None else None
    lines: list[RatedLine] = []
    for item in pricing.items:
        rated: list[Rated]
        if isinstance(item, PerMinute):
            rated = [rate_per_minute(item, usage.calls, judge)]
        elif isinstance(item, PerCall):
            rated = [rate_per_call(item, usage.calls, judge)]
        elif isinstance(item, PerTicket):
            rated = [rate_per_ticket(item, usage.tickets, judge)]
        elif isinstance(item, PerHour):
            rated = rate_per_hour(item, usage.hours, judge)
        else:
            rated = [rate_per_fte(item)]
        for one in rated:
            lines.append(one.line)
            if surcharge is not None and (extra := surcharge_line(one, surcharge.percent)):
                lines.append(extra)
    diversions = (rate_diversion(fee, usage.calls) for fee in pricing.diversion_fees)
    lines.extend(line for line in diversions if line is not None)
    lines.extend(rate_one_time(pricing, usage))
    lines.extend(rate_pass_through(usage))
    if (top_up := top_up_line(pricing, lines)) is not None:
        lines.append(top_up)
    return tuple(lines)


def total(lines: Iterable[RatedLine]) -> Fraction:
    """The exact sum of the lines' amounts."""
    return sum((line.amount for line in lines), Fraction(0))

"""Properties: additive models rate a month as the sum of its days, the order of the records
never matters, nothing is negative, tiers keep their order, and the array path gives the
per-record lines exactly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.agreement import PerCall, PerMinute, PriceTier, Pricing
from pactline.core.rating import (
    AgentHours,
    CallLeg,
    FeeOccurrence,
    PassThrough,
    TicketEvent,
    Usage,
    billable_seconds,
    billable_seconds_many,
    call_counted,
    price,
    rate_month,
    rate_per_call,
    rate_per_call_arrays,
    rate_per_minute,
    rate_per_minute_arrays,
    round_line,
    top_share,
    total,
)
from pactline.core.rating.usage import Destination, Direction

DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
SECONDS = st.integers(0, 4_000)


def office_hours(instant: datetime) -> bool:
    return 9 <= instant.hour < 17


@st.composite
def call_legs(draw: st.DrawFn, max_calls: int = 25) -> tuple[CallLeg, ...]:
    """Calls of one to three legs, each call within one day of December 2026."""
    legs: list[CallLeg] = []
    for c in range(draw(st.integers(0, max_calls))):
        start = DEC_1 + timedelta(days=draw(st.integers(0, 30)),
                                  minutes=draw(st.integers(0, 24 * 60 - 2)))  # fmt: skip
        channel = draw(st.sampled_from(["phone", "chat"]))
        service = draw(st.sampled_from(["inbound_support", "outbound_calling", None]))
        direction: Direction = draw(st.sampled_from(("inbound", "outbound")))
        handled = draw(st.booleans())
        diverted: Destination | None = draw(st.sampled_from((None, "mobile")))
        legs.extend(
            CallLeg(f"c{c}.{leg}", f"c{c}", start + timedelta(seconds=leg), channel,
                    service, direction, handled, draw(SECONDS), draw(SECONDS),
                    draw(SECONDS), leg, diverted)
            for leg in range(draw(st.integers(1, 3)))
        )  # fmt: skip
    return tuple(legs)


def instants() -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda d, s: DEC_1 + timedelta(days=d, seconds=s),
        st.integers(0, 30),
        st.integers(0, 86_399),
    )


@st.composite
def months(draw: st.DrawFn) -> Usage:
    tickets = draw(st.lists(st.tuples(instants(), st.sampled_from(["created", "resolved"]),
                                      st.sampled_from(["email", "chat"])), max_size=20))  # fmt: skip
    hours = draw(st.lists(st.tuples(instants(), SECONDS, SECONDS, SECONDS), max_size=10))
    fees = draw(st.lists(instants(), max_size=2))
    charges = draw(st.lists(st.tuples(instants(), st.decimals("0", "99.99", places=2),
                                      st.sampled_from(["Carriage", "SMS"])), max_size=4))  # fmt: skip
    return Usage(
        calls=draw(call_legs()),
        tickets=tuple(TicketEvent(f"t{i}", a, e, channel=ch)  # type: ignore[arg-type]
                      for i, (a, e, ch) in enumerate(tickets)),
        hours=tuple(AgentHours(f"h{i}", a, p, lg, tr, channel="phone")
                    for i, (a, p, lg, tr) in enumerate(hours)),
        fees=tuple(FeeOccurrence(f"f{i}", a, "Set-up") for i, a in enumerate(fees)),
        pass_through=tuple(PassThrough(f"p{i}", a, amt, d)
                           for i, (a, amt, d) in enumerate(charges)),
    )  # fmt: skip


def pricing(items: list[dict[str, Any]], **extra: Any) -> Pricing:
    return Pricing.model_validate({"currency": "USD", "items": items, **extra})


# Flat rates, per-call or per-leg rounding: every charge belongs to one record or call.
ADDITIVE = pricing(
    [
        {"model": "per_minute", "name": "Phone minutes", "channels": ["phone"], "rate": "1.45",
         "minimum_seconds": 30, "increment_seconds": 6, "billable": ["talk", "hold", "acw"]},
        {"model": "per_minute", "name": "Chat minutes", "channels": ["chat"], "rate": "0.0125",
         "minimum_seconds": 60, "increment_seconds": 10, "rounding_scope": "leg"},
        {"model": "per_call", "name": "Handled calls", "rate": "0.35"},
        {"model": "per_call", "name": "Outbound attempts", "counts": "outbound_attempt",
         "rate": "0.07"},
        {"model": "per_ticket", "name": "Resolved", "rate": "3.85"},
        {"model": "per_hour", "name": "Hours", "rate": "32.50", "hour_kind": "productive",
         "training_rate": "24.00"},
    ],
    diversion_fees=[{"destination": "mobile", "rate": "0.28", "minimum_seconds": 30,
                     "increment_seconds": 6}],
    after_hours_surcharge={"percent": "25", "calendar": "business"},
    one_time_fees=[{"name": "Set-up", "amount": "1500.00"}],
)  # fmt: skip

# Everything else too: tiers, monthly-total rounding, FTE, minimum, fees, pass-through.
TIERS = [{"up_to": 50, "rate": "1.20"}, {"up_to": 200, "rate": "0.95"}, {"rate": "0.70"}]
FULL = pricing(
    [
        {"model": "per_minute", "name": "Phone minutes", "channels": ["phone"], "tiers": TIERS,
         "tier_mode": "graduated", "minimum_seconds": 30, "increment_seconds": 7},
        {"model": "per_minute", "name": "Chat minutes", "channels": ["chat"], "tiers": TIERS,
         "tier_mode": "all_units", "increment_seconds": 60, "rounding_scope": "monthly_total"},
        {"model": "per_call", "name": "Offered", "counts": "offered", "tiers": TIERS,
         "tier_mode": "all_units"},
        {"model": "per_ticket", "name": "Created", "counts": "created", "tiers": TIERS,
         "tier_mode": "graduated"},
        {"model": "per_hour", "name": "Logged", "rate": "29.75", "hour_kind": "logged"},
        {"model": "per_fte", "name": "Desk", "monthly_rate": "9800.00", "ftes": "1.5"},
    ],
    monthly_minimum="20000.00",
    one_time_fees=[{"name": "Set-up", "amount": "1500.00"}],
    after_hours_surcharge={"percent": "12.5", "calendar": "business"},
)  # fmt: skip


def day_of(usage: Usage, day: int) -> Usage:
    return Usage(
        calls=tuple(r for r in usage.calls if r.at.day == day),
        tickets=tuple(r for r in usage.tickets if r.at.day == day),
        hours=tuple(r for r in usage.hours if r.at.day == day),
    )


@settings(max_examples=60, deadline=None)
@given(months())
def test_additive_models_rate_a_month_as_the_sum_of_its_days(usage: Usage) -> None:
    month = Usage(calls=usage.calls, tickets=usage.tickets, hours=usage.hours)
    whole = rate_month(ADDITIVE, month, in_hours=office_hours)
    days = [rate_month(ADDITIVE, day_of(month, d), in_hours=office_hours) for d in range(1, 32)]
    assert total(whole) == sum((total(lines) for lines in days), Fraction(0))
    for line in whole:
        same = [x for lines in days for x in lines if x.item == line.item]
        assert line.amount == sum((x.amount for x in same), Fraction(0)), line.item
        assert line.usage_ids == tuple(sorted(i for x in same for i in x.usage_ids)), line.item


@settings(max_examples=60, deadline=None)
@given(months(), st.randoms(use_true_random=False))
def test_shuffled_usage_gives_identical_lines(usage: Usage, rnd: random.Random) -> None:
    def shuffled(records: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(records)
        rnd.shuffle(out)
        return tuple(out)

    mixed = Usage(
        calls=shuffled(usage.calls),
        tickets=shuffled(usage.tickets),
        hours=shuffled(usage.hours),
        fees=shuffled(usage.fees),
        pass_through=shuffled(usage.pass_through),
    )
    for terms in (ADDITIVE, FULL):
        assert rate_month(terms, mixed, in_hours=office_hours) == rate_month(
            terms, usage, in_hours=office_hours
        )


@settings(max_examples=60, deadline=None)
@given(months())
def test_nothing_is_negative_and_the_minimum_holds(usage: Usage) -> None:
    lines = rate_month(FULL, usage, in_hours=office_hours)
    assert all(line.quantity >= 0 and line.amount >= 0 for line in lines)
    services = sum((x.amount for x in lines if x.model not in ("one_time", "pass_through")),
                   Fraction(0))  # fmt: skip
    assert services >= Decimal("20000.00")
    top_ups = [x for x in lines if x.model == "minimum_top_up"]
    assert len(top_ups) <= 1
    if top_ups:
        assert services == Decimal("20000.00")
    for line in lines:
        if line.model == "after_hours":
            assert line.amount <= line.quantity  # 12.5% of a part of its item


@st.composite
def falling_tiers(draw: st.DrawFn) -> tuple[PriceTier, ...]:
    bounds = sorted(draw(st.sets(st.integers(1, 10_000), min_size=0, max_size=4)))
    rates = sorted(
        draw(st.lists(st.decimals("0.01", "9.99", places=2), min_size=len(bounds) + 1,
                      max_size=len(bounds) + 1, unique=True)),
        reverse=True,
    )  # fmt: skip
    return tuple(PriceTier(up_to=b, rate=r) for b, r in zip([*bounds, None], rates, strict=True))


QUANTITIES = st.fractions(min_value=0, max_value=20_000, max_denominator=60)


@given(falling_tiers(), QUANTITIES, QUANTITIES)
def test_tiers_keep_their_order_when_rates_fall(
    tiers: tuple[PriceTier, ...], q: Fraction, other: Fraction
) -> None:
    def amount(mode: str, quantity: Fraction) -> Fraction:
        return price(quantity, rate=None, tiers=tiers, tier_mode=mode).amount

    first, last = Fraction(tiers[0].rate), Fraction(tiers[-1].rate)
    graduated, all_units = amount("graduated", q), amount("all_units", q)
    assert q * last <= all_units <= graduated <= q * first
    low, high = sorted((q, other))
    assert amount("graduated", low) <= amount("graduated", high)
    for mode in ("graduated", "all_units"):
        share = top_share(q, low if low <= q else q, rate=None, tiers=tiers, tier_mode=mode)
        assert 0 <= share <= amount(mode, q)
    assert top_share(q, q, rate=None, tiers=tiers, tier_mode="graduated") == graduated


@given(st.integers(0, 100_000), st.integers(0, 120), st.integers(1, 120))
def test_billable_seconds_bounds(duration: int, minimum: int, increment: int) -> None:
    billed = billable_seconds(duration, minimum, increment)
    assert billable_seconds_many(np.array([duration]), minimum, increment).tolist() == [billed]
    if duration == 0:
        assert billed == 0
    elif duration <= minimum:
        assert billed == minimum
    else:
        assert duration <= billed < duration + increment
        assert (billed - minimum) % increment == 0


@given(st.decimals("-1000", "1000", places=6))
def test_round_line_is_decimal_half_up(amount: Decimal) -> None:
    for currency, step in (("USD", "0.01"), ("JPY", "1"), ("KWD", "0.001")):
        got, _ = round_line(amount, currency)
        assert got == amount.quantize(Decimal(step), rounding=ROUND_HALF_UP)


# --- The array path ---------------------------------------------------------------------------

TIER_CHOICES: list[dict[str, Any]] = [
    {"rate": "1.45"},
    {"rate": "0.0125"},
    {"tiers": TIERS, "tier_mode": "graduated"},
    {"tiers": TIERS, "tier_mode": "all_units"},
]


@settings(max_examples=100, deadline=None)
@given(
    call_legs(max_calls=40),
    st.sampled_from(["call", "leg", "monthly_total"]),
    st.sampled_from(TIER_CHOICES),
    st.integers(0, 90),
    st.integers(1, 60),
    st.sampled_from([("talk",), ("talk", "hold"), ("talk", "hold", "acw"), ("acw",)]),
)
def test_the_array_path_equals_the_per_record_reference(
    legs: tuple[CallLeg, ...],
    scope: str,
    pricing_part: dict[str, Any],
    minimum: int,
    increment: int,
    billable: tuple[str, ...],
) -> None:
    item = PerMinute.model_validate(
        {"model": "per_minute", "name": "Minutes", "minimum_seconds": minimum,
         "increment_seconds": increment, "billable": billable, "rounding_scope": scope,
         **pricing_part}
    )  # fmt: skip
    parts = {
        part: np.array([getattr(leg, f"{part}_seconds") for leg in legs], dtype=np.int64)
        for part in ("talk", "hold", "acw")
    }
    call_index = np.array([int(leg.call_id[1:]) for leg in legs], dtype=np.int64)
    outside = np.array([not office_hours(leg.at) for leg in legs], dtype=np.bool_)
    reference = rate_per_minute(item, legs, office_hours)
    fast = rate_per_minute_arrays(item, parts, call_index=call_index, outside=outside)
    assert fast.line.amount == reference.line.amount
    assert fast.line.quantity == reference.line.quantity
    assert (fast.line.rate, fast.line.detail) == (reference.line.rate, reference.line.detail)
    assert fast.after_amount == reference.after_amount
    # The rounded invoice line is the same to the cent, of course.
    assert round_line(fast.line.amount, "USD") == round_line(reference.line.amount, "USD")

    counted = PerCall.model_validate({"model": "per_call", "name": "Calls", "counts": "offered",
                                      **pricing_part})  # fmt: skip
    mask = np.array([leg.leg == 0 and call_counted(counted, leg) for leg in legs], np.bool_)
    fast_calls = rate_per_call_arrays(counted, mask, outside=outside)
    reference_calls = rate_per_call(counted, legs, office_hours)
    assert fast_calls.line.amount == reference_calls.line.amount
    assert fast_calls.after_amount == reference_calls.after_amount


def test_the_array_path_on_a_large_random_month() -> None:
    # 20,000 single-leg calls: the vectorised total equals a plain per-record loop.
    rng = np.random.default_rng(7)
    talk = rng.integers(0, 3_600, 20_000, dtype=np.int64)
    hold = rng.integers(0, 600, 20_000, dtype=np.int64)
    item = PerMinute.model_validate(
        {"model": "per_minute", "name": "Minutes", "rate": "1.45", "minimum_seconds": 30,
         "increment_seconds": 6}
    )  # fmt: skip
    plain = Fraction(0)
    for t, h in zip(talk.tolist(), hold.tolist(), strict=True):
        plain += Fraction(billable_seconds(t + h, 30, 6), 60) * Fraction(Decimal("1.45"))
    fast = rate_per_minute_arrays(item, {"talk": talk, "hold": hold})
    assert fast.line.amount == plain
    assert fast.line.amount > 0

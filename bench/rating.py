"""Rating a month of 10,000,000 usage records under the example agreements' prices.

The records (`--smoke`: 20,000) are spread over the four example agreements as their price
lists bill them: call legs of the per-minute AUD client (one to three legs per call; inbound
billed talk + hold + after-call work at 30/6 per call, outbound talk at 60/60; forwarded legs
billed by the mobile and international diversion fees' own rounding; a 35 % surcharge on calls
that start outside the contact centre's hours, judged by its calendar), calls of the per-call
CNY client, resolved tickets of the INR client's graduated tiers and agent intervals of the
per-hour USD client (productive and training time). Four variants of the inbound item (per leg,
on the month's sum, all-units tiers, graduated tiers) rate legs of their own, so every rounding
rule and tier mode is run. Each record is rated once, by the item it belongs to.

Pactline rates with `pactline.core.rating`'s array path (integer seconds, one exact sum per
line, the calendar over arrays). The peer is what one writes first: a per-record loop in
`Decimal` (each record's amount computed and added, the calendar asked per call). It runs on a
sample of the same records in the same process, its lines must equal Pactline's on that sample
to the cent (line amounts half-up to the cent), and its time is extrapolated per record.
Goals: the month in < 10 s, and >= 50x the per-record loop."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import SMOKE, size  # noqa: E402

from pactline.core.agreement import (  # noqa: E402
    AgreementDocument,
    PerMinute,
    PriceTier,
    parse_agreement,
)
from pactline.core.calendar import BusinessCalendar  # noqa: E402
from pactline.core.rating import (  # noqa: E402
    price,
    rate_per_call_arrays,
    rate_per_minute_arrays,
    round_line,
)

RECORDS = size(10_000_000, 20_000, "BENCH_RECORDS")
SAMPLE = size(200_000, 20_000, "BENCH_SAMPLE")
EXAMPLES = ROOT / "examples" / "agreements"
MONTH_START = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
MONTH_SECONDS = 31 * 86400
GOAL_SECONDS = 10.0
GOAL_RATIO = 50.0
CENT = Decimal("0.01")
VARIANTS = ("per leg", "month's sum", "all-units tiers", "graduated tiers")
# Synthetic tiers for the inbound item's tier variants (per billable minute).
MINUTE_TIERS = (
    PriceTier(up_to=100_000, rate=Decimal("1.45")),
    PriceTier(up_to=1_000_000, rate=Decimal("1.30")),
    PriceTier(up_to=None, rate=Decimal("1.15")),
)


def _document(name: str) -> AgreementDocument:
    return parse_agreement((EXAMPLES / name).read_text(encoding="utf-8"))


@dataclass
class Legs:
    """Call legs one per-minute item rates, in call order (a call's legs together)."""

    call: np.ndarray
    at: np.ndarray  # datetime64[us], UTC
    talk: np.ndarray
    hold: np.ndarray
    acw: np.ndarray

    def head(self, share: float) -> Legs:
        """The legs of the first `share` of the calls."""
        legs = int(len(self.call) * share)
        while 0 < legs < len(self.call) and self.call[legs] == self.call[legs - 1]:
            legs += 1
        return Legs(
            *(array[:legs] for array in (self.call, self.at, self.talk, self.hold, self.acw))
        )


@dataclass
class Month:
    """The usage of one month as the usage store holds it: grouped by the price item that
    rates it, as arrays (positions stand for the usage records)."""

    inbound: Legs  # AUD, talk + hold + acw
    outbound: Legs  # AUD, talk
    variants: dict[str, Legs]  # legs of the inbound item's variants, each its own records
    diverted: dict[int, np.ndarray]  # AUD forwarded legs' talk seconds: 1 mobile, 2 international
    handled: np.ndarray  # CNY calls
    resolved: np.ndarray  # INR tickets
    productive: np.ndarray  # USD agent intervals
    training: np.ndarray

    @property
    def records(self) -> int:
        return (
            len(self.inbound.call)
            + len(self.outbound.call)
            + sum(len(legs.call) for legs in self.variants.values())
            + sum(len(talk) for talk in self.diverted.values())
            + len(self.handled)
            + len(self.resolved)
            + len(self.productive)
        )

    def head(self, share: float) -> Month:
        """The first `share` of every kind of record (whole calls for the legs)."""

        def part(array: np.ndarray) -> np.ndarray:
            return array[: int(len(array) * share)]

        return Month(
            inbound=self.inbound.head(share),
            outbound=self.outbound.head(share),
            variants={label: legs.head(share) for label, legs in self.variants.items()},
            diverted={code: part(talk) for code, talk in self.diverted.items()},
            handled=part(self.handled),
            resolved=part(self.resolved),
            productive=part(self.productive),
            training=part(self.training),
        )


def _legs(rng: np.random.Generator, count: int) -> Legs:
    # One to three legs per call; a call's legs start two minutes apart.
    per_call = rng.choice([1, 2, 3], size=count, p=[0.7, 0.2, 0.1])
    call = np.repeat(np.arange(count), per_call)[:count]
    start = MONTH_START + rng.integers(0, MONTH_SECONDS, size=count, dtype=np.int64)
    at = start[call] + (np.arange(count) - np.searchsorted(call, call)) * 120
    return Legs(
        call=call,
        at=(at * 1_000_000).astype("datetime64[us]"),
        talk=rng.gamma(2.0, 120.0, size=count).astype(np.int64),
        hold=np.where(rng.random(count) < 0.2, rng.integers(5, 120, size=count), 0).astype(
            np.int64
        ),
        acw=rng.integers(0, 90, size=count, dtype=np.int64),
    )


def _month(records: int, seed: int = 7) -> Month:
    """Half the records are AUD call legs (a fifth of all inbound, 6 % outbound, 5 % for each
    variant of the inbound item, 2 % forwarded), a fifth CNY calls, 15 % INR tickets, the
    rest USD agent intervals."""
    rng = np.random.default_rng(seed)
    share = {"inbound": 0.20, "outbound": 0.06, "variant": 0.05, "forwarded": 0.02}
    count = {name: int(records * part) for name, part in share.items()}
    calls_cny = int(records * 0.20)
    tickets = int(records * 0.15)
    intervals = records - sum(count.values()) - 3 * count["variant"] - calls_cny - tickets
    forwarded = count["forwarded"]
    return Month(
        inbound=_legs(rng, count["inbound"]),
        outbound=_legs(rng, count["outbound"]),
        variants={label: _legs(rng, count["variant"]) for label in VARIANTS},
        diverted={
            1: rng.gamma(2.0, 120.0, size=forwarded // 2).astype(np.int64),
            2: rng.gamma(2.0, 120.0, size=forwarded - forwarded // 2).astype(np.int64),
        },
        handled=rng.random(calls_cny) < 0.93,
        resolved=rng.random(tickets) < 0.8,
        productive=rng.integers(0, 900, size=intervals, dtype=np.int64),
        training=np.where(rng.random(intervals) < 0.05, 900, 0).astype(np.int64),
    )


class Prices:
    """The example agreements' items the month is rated under, and the variants."""

    def __init__(self) -> None:
        aud = _document("call-centre-per-minute.yaml")
        self.aud = aud.pricing
        self.calendar = BusinessCalendar.from_spec(aud.calendars["contact-centre"])
        inbound, outbound = (i for i in self.aud.items if isinstance(i, PerMinute))
        self.inbound: PerMinute = inbound
        self.outbound: PerMinute = outbound
        self.variants: dict[str, PerMinute] = {
            "per leg": inbound.model_copy(update={"rounding_scope": "leg"}),
            "month's sum": inbound.model_copy(update={"rounding_scope": "monthly_total"}),
            "all-units tiers": inbound.model_copy(
                update={"rate": None, "tiers": MINUTE_TIERS, "tier_mode": "all_units"}
            ),
            "graduated tiers": inbound.model_copy(
                update={"rate": None, "tiers": MINUTE_TIERS, "tier_mode": "graduated"}
            ),
        }
        self.diversions = {1: self.aud.diversion_fees[0], 2: self.aud.diversion_fees[1]}
        self.surcharge = self.aud.after_hours_surcharge
        self.cny = _document("customer-service-zh.yaml").pricing.items[0]
        self.inr = _document("telecom-tiers.yaml").pricing.items[0]
        self.usd = _document("general-outsourcing.yaml").pricing.items[0]


def _cents(amount: Fraction | Decimal, currency: str) -> Decimal:
    rounded, _rule = round_line(Fraction(amount), currency)
    return rounded


# --- Pactline: the array path -------------------------------------------------------------


def pactline_lines(month: Month, prices: Prices) -> dict[str, Decimal]:
    lines: dict[str, Decimal] = {}
    after = Fraction(0)
    for item, legs in ((prices.inbound, month.inbound), (prices.outbound, month.outbound)):
        rated = rate_per_minute_arrays(
            item,
            {"talk": legs.talk, "hold": legs.hold, "acw": legs.acw},
            call_index=legs.call,
            outside=~prices.calendar.is_open_many(legs.at),
        )
        lines[item.name] = _cents(rated.line.amount, "AUD")
        after += rated.after_amount
    assert prices.surcharge is not None
    lines["after hours"] = _cents(after * Fraction(prices.surcharge.percent) / 100, "AUD")
    for label, item in prices.variants.items():
        legs = month.variants[label]
        parts = {"talk": legs.talk, "hold": legs.hold, "acw": legs.acw}
        rated = rate_per_minute_arrays(item, parts, call_index=legs.call)
        lines[label] = _cents(rated.line.amount, "AUD")
    for code, fee in prices.diversions.items():
        item = PerMinute(
            model="per_minute",
            name=fee.destination,
            rate=fee.rate,
            minimum_seconds=fee.minimum_seconds,
            increment_seconds=fee.increment_seconds,
            billable=("talk",),
            rounding_scope="leg",
        )
        rated = rate_per_minute_arrays(item, {"talk": month.diverted[code]})
        lines[f"diversion {fee.destination}"] = _cents(rated.line.amount, "AUD")
    lines["CNY calls"] = _cents(rate_per_call_arrays(prices.cny, month.handled).line.amount, "CNY")
    tickets = Fraction(int(np.count_nonzero(month.resolved)))
    inr = prices.inr
    priced = price(tickets, rate=inr.rate, tiers=inr.tiers, tier_mode=inr.tier_mode)
    lines["INR tickets"] = _cents(priced.amount, "INR")
    usd = prices.usd
    hours = Fraction(int(month.productive.sum(dtype=np.int64)), 3600)
    training = Fraction(int(month.training.sum(dtype=np.int64)), 3600)
    assert usd.training_rate is not None
    lines["USD hours"] = _cents(hours * Fraction(usd.rate), "USD")
    lines["USD training"] = _cents(training * Fraction(usd.training_rate), "USD")
    return lines


# --- The peer: a per-record Decimal loop --------------------------------------------------


def _billable(seconds: int, minimum: int, increment: int) -> int:
    if seconds <= 0:
        return 0
    if seconds <= minimum:
        return minimum
    return minimum + -(-(seconds - minimum) // increment) * increment


def _tiered(quantity: Decimal, tiers: Any, mode: str) -> Decimal:
    if mode == "all_units":
        for tier in tiers:
            if tier.up_to is None or quantity <= tier.up_to:
                return quantity * tier.rate
    amount, below = Decimal(0), Decimal(0)
    for tier in tiers:
        top = quantity if tier.up_to is None else min(quantity, Decimal(tier.up_to))
        if top > below:
            amount += (top - below) * tier.rate
        below = top if tier.up_to is None else Decimal(tier.up_to)
    return amount


def _half_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _calls(legs: Legs) -> dict[int, list[int]]:
    calls: dict[int, list[int]] = defaultdict(list)
    for index, call in enumerate(legs.call.tolist()):
        calls[call].append(index)
    return calls


def _legs_loop(
    item: PerMinute, legs: Legs, calendar: BusinessCalendar | None
) -> tuple[Decimal, Decimal, Decimal]:
    """(amount, billable minutes, amount of calls starting outside `calendar`'s hours) of
    `item` over `legs`, each call or leg rounded as the item says (not the month's sum)."""
    sixty = Decimal(60)
    assert item.rate is not None or item.tiers is not None
    rate = item.rate if item.rate is not None else Decimal(0)
    talk, hold, acw = legs.talk.tolist(), legs.hold.tolist(), legs.acw.tolist()
    starts = legs.at.astype(np.int64).tolist()
    parts = {"talk": talk, "hold": hold, "acw": acw}
    amount = minutes = after = Decimal(0)
    groups = (
        [[i] for i in range(len(talk))]
        if item.rounding_scope == "leg"
        else list(_calls(legs).values())
    )
    for members in groups:
        seconds = 0
        for i in members:
            for part in item.billable:
                seconds += parts[part][i]
        billed = _billable(seconds, item.minimum_seconds, item.increment_seconds)
        call_minutes = Decimal(billed) / sixty
        call_amount = call_minutes * rate
        minutes += call_minutes
        amount += call_amount
        if calendar is not None:
            at = datetime.fromtimestamp(starts[members[0]] / 1_000_000, UTC)
            if not calendar.is_open(at):
                after += call_amount
    return amount, minutes, after


def loop_lines(month: Month, prices: Prices) -> dict[str, Decimal]:
    """Every record visited once, in Python, with Decimal money."""
    sixty, hour = Decimal(60), Decimal(3600)
    lines: dict[str, Decimal] = defaultdict(Decimal)
    after = Decimal(0)
    for item, legs in ((prices.inbound, month.inbound), (prices.outbound, month.outbound)):
        amount, _minutes, outside = _legs_loop(item, legs, prices.calendar)
        lines[item.name] = amount
        after += outside
    lines["per leg"], _minutes, _after = _legs_loop(
        prices.variants["per leg"], month.variants["per leg"], None
    )
    inbound = prices.inbound
    assert inbound.rate is not None
    summed = month.variants["month's sum"]
    raw = 0
    for talk, hold, acw in zip(
        summed.talk.tolist(), summed.hold.tolist(), summed.acw.tolist(), strict=True
    ):
        raw += talk + hold + acw
    total = _billable(raw, inbound.minimum_seconds, inbound.increment_seconds)
    lines["month's sum"] = Decimal(total) / sixty * inbound.rate
    for label, mode in (("all-units tiers", "all_units"), ("graduated tiers", "graduated")):
        _amount, minutes, _after = _legs_loop(prices.variants[label], month.variants[label], None)
        lines[label] = _tiered(minutes, MINUTE_TIERS, mode)
    for code, talk_seconds in month.diverted.items():
        fee = prices.diversions[code]
        for talk in talk_seconds.tolist():
            fee_billed = _billable(talk, fee.minimum_seconds, fee.increment_seconds)
            lines[f"diversion {fee.destination}"] += Decimal(fee_billed) / sixty * fee.rate
    assert prices.surcharge is not None
    lines["after hours"] = after * prices.surcharge.percent / 100
    assert prices.cny.rate is not None
    for handled in month.handled.tolist():
        if handled:
            lines["CNY calls"] += prices.cny.rate
    count = Decimal(0)
    for resolved in month.resolved.tolist():
        if resolved:
            count += 1
    lines["INR tickets"] = _tiered(count, prices.inr.tiers, str(prices.inr.tier_mode))
    assert prices.usd.training_rate is not None
    for productive, training in zip(
        month.productive.tolist(), month.training.tolist(), strict=True
    ):
        lines["USD hours"] += Decimal(productive) / hour * prices.usd.rate
        lines["USD training"] += Decimal(training) / hour * prices.usd.training_rate
    return {name: _half_up(amount) for name, amount in lines.items()}


def _best(runs: int, work: Callable[[], object]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> None:
    prices = Prices()
    started = time.perf_counter()
    month = _month(RECORDS)
    made = time.perf_counter() - started
    seconds, lines = _best(1 if SMOKE else 3, lambda: pactline_lines(month, prices))
    sample = month.head(min(1.0, SAMPLE / month.records))
    loop_seconds, loop = _best(1, lambda: loop_lines(sample, prices))
    fast_sample = pactline_lines(sample, prices)
    agree = fast_sample == loop
    per_record_loop = loop_seconds / sample.records
    ratio = per_record_loop * month.records / seconds
    print(f"{month.records:,} usage records for a month (made in {made:.1f} s)")
    print(
        f"pactline, array path:        {seconds:7.3f} s ({seconds / month.records * 1e9:,.0f} ns a record)"
    )
    print(
        f"per-record Decimal loop:     {loop_seconds:7.3f} s for {sample.records:,} records"
        f" -> {per_record_loop * month.records:,.1f} s for the month"
    )
    print(f"ratio: pactline {ratio:,.0f}x faster; lines agree to the cent on the sample: {agree}")
    if not agree:
        for name in sorted(set(loop) | set(fast_sample)):
            if loop.get(name) != fast_sample.get(name):
                print(f"  {name}: loop {loop.get(name)} pactline {fast_sample.get(name)}")
    for name, amount in lines.items():
        print(f"  {name}: {amount}")
    met = seconds < GOAL_SECONDS and ratio >= GOAL_RATIO and agree
    verdict = "judged at full size" if SMOKE else ("met" if met else "MISSED")
    print(
        f"goals: month < {GOAL_SECONDS:g} s and >= {GOAL_RATIO:g}x the loop, identical to the"
        f" cent: {verdict}"
    )
    if not agree:
        raise SystemExit("the array path and the per-record loop disagree")


if __name__ == "__main__":
    main()

"""Reference vectors of contact-center.md §5.1: increments, tiers, the exact 83 s example, and
the one rounding of an invoice line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from pactline.core.agreement import PerMinute, PriceTier
from pactline.core.rating import (
    CallLeg,
    billable_seconds,
    billable_seconds_many,
    fraction_to_decimal,
    minor_unit,
    price,
    rate_per_minute,
    round_line,
)

# contact-center.md §5.1, "Rounding increments" table (itwissen 60/10, 60/60; vaasconsumer
# 30/6; 6/6 examples; Twilio per started minute = 60/60).
INCREMENT_VECTORS = [
    (10, 30, 6, 30),
    (31, 30, 6, 36),
    (83, 60, 10, 90),
    (83, 60, 60, 120),
    (5, 6, 6, 6),
    (8, 6, 6, 12),
    (10, 6, 6, 12),
    (15, 6, 6, 18),
    (80, 60, 60, 120),  # Twilio
    (61, 60, 60, 120),
    (60, 60, 60, 60),
    (0, 30, 6, 0),  # "0 s | any | 0"
    (0, 60, 60, 0),
    (0, 0, 1, 0),
]


@pytest.mark.parametrize(("duration", "minimum", "increment", "billable"), INCREMENT_VECTORS)
def test_billable_seconds_reference_table(
    duration: int, minimum: int, increment: int, billable: int
) -> None:
    assert billable_seconds(duration, minimum, increment) == billable


def test_billable_seconds_many_gives_the_table_too() -> None:
    for minimum, increment in {(m, i) for _, m, i, _ in INCREMENT_VECTORS}:
        rows = [(d, b) for d, m, i, b in INCREMENT_VECTORS if (m, i) == (minimum, increment)]
        got = billable_seconds_many(np.array([d for d, _ in rows], np.int64), minimum, increment)
        assert got.dtype == np.int64
        assert got.tolist() == [b for _, b in rows]


def test_no_minimum_rounds_up_to_the_increment() -> None:
    # 0/60: 1 s bills 60, 60 s bills 60, 61 s bills 120.
    assert [billable_seconds(d, 0, 60) for d in (1, 60, 61)] == [60, 60, 120]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: billable_seconds(-1, 30, 6), "duration"),
        (lambda: billable_seconds(10, -1, 6), "minimum"),
        (lambda: billable_seconds(10, 30, 0), "increment"),
        (lambda: billable_seconds_many(np.array([5, -2]), 30, 6), "duration"),
        (lambda: billable_seconds_many(np.array([5.0]), 30, 6), "duration"),
    ],
)
def test_bad_increment_input_names_the_field(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# contact-center.md §5.1, "Tiered volume pricing": 0–10k @ 0.90, 10k–25k @ 0.80, > 25k @ 0.70.
TIERS = (
    PriceTier(up_to=10_000, rate=Decimal("0.90")),
    PriceTier(up_to=25_000, rate=Decimal("0.80")),
    PriceTier(rate=Decimal("0.70")),
)


@pytest.mark.parametrize(
    ("mode", "units", "expected"),
    [
        ("graduated", 18_000, "15400.00"),  # 10,000 × 0.90 + 8,000 × 0.80
        ("graduated", 30_000, "24500.00"),  # 9,000 + 15,000 × 0.80 + 5,000 × 0.70
        ("all_units", 18_000, "14400.00"),  # 18,000 × 0.80
        ("all_units", 30_000, "21000.00"),  # 30,000 × 0.70
    ],
)
def test_tier_reference_vectors(mode: str, units: int, expected: str) -> None:
    priced = price(Fraction(units), rate=None, tiers=TIERS, tier_mode=mode)
    assert priced.amount == Decimal(expected)


def test_tier_bounds_belong_to_the_lower_band() -> None:
    # up_to 10,000 includes the 10,000th unit: all of it at 0.90 under either mode.
    for mode in ("graduated", "all_units"):
        assert price(Fraction(10_000), rate=None, tiers=TIERS, tier_mode=mode).amount == 9000
    graduated = price(Fraction(18_000), rate=None, tiers=TIERS, tier_mode="graduated")
    assert graduated.rate is None
    assert graduated.detail == "10000 @ 0.90 + 8000 @ 0.80"


def test_fractional_minutes_split_at_a_bound() -> None:
    # 10,000.5 minutes: graduated 10,000 × 0.90 + 0.5 × 0.80 = 9,000.40;
    # all-units: past 10,000 so every minute at 0.80 = 8,000.40.
    q = Fraction(20_001, 2)
    assert price(q, rate=None, tiers=TIERS, tier_mode="graduated").amount == Decimal("9000.40")
    assert price(q, rate=None, tiers=TIERS, tier_mode="all_units").amount == Decimal("8000.40")


def test_the_83_second_example_is_exact_and_rounds_on_the_line() -> None:
    # §5.1: 83 s at $0.0125/min on 60/10 = 90/60 × 0.0125 = $0.01875 exactly.
    item = PerMinute(
        model="per_minute",
        name="Handled minutes",
        rate=Decimal("0.0125"),
        minimum_seconds=60,
        increment_seconds=10,
        billable=("talk",),
    )
    leg = CallLeg("l1", "c1", datetime(2026, 12, 1, 10, tzinfo=UTC), talk_seconds=83)
    line = rate_per_minute(item, [leg]).line
    assert line.quantity == Fraction(3, 2)
    assert line.amount == Decimal("0.01875")
    assert line.exact_decimal == Decimal("0.01875")
    assert line.usage_ids == ("l1",)
    assert round_line(line.amount, "USD") == (Decimal("0.02"), "half-up to 0.01 per line")


@pytest.mark.parametrize(
    ("amount", "currency", "rounded", "rule"),
    [
        (Fraction(3, 160), "AUD", "0.02", "half-up to 0.01 per line"),  # 0.01875
        (Decimal("0.005"), "EUR", "0.01", "half-up to 0.01 per line"),  # a half goes up
        (Decimal("0.00499"), "GBP", "0.00", "half-up to 0.01 per line"),
        (Decimal("1.6625"), "CNY", "1.66", "half-up to 0.01 per line"),
        (Decimal("2.5"), "JPY", "3", "half-up to 1 per line"),
        (Decimal("2.49"), "JPY", "2", "half-up to 1 per line"),
        (Decimal("1.0005"), "KWD", "1.001", "half-up to 0.001 per line"),
        (Fraction(1, 3), "USD", "0.33", "half-up to 0.01 per line"),
        (Decimal("-0.005"), "USD", "-0.01", "half-up to 0.01 per line"),  # away from zero
    ],
)
def test_round_line(amount: Fraction | Decimal, currency: str, rounded: str, rule: str) -> None:
    got, used = round_line(amount, currency)
    assert (got, used) == (Decimal(rounded), rule)
    assert str(got) == rounded


def test_minor_units_are_iso_4217() -> None:
    expected = {"AUD": 2, "USD": 2, "EUR": 2, "GBP": 2, "CNY": 2, "JPY": 0, "KWD": 3}
    assert {code: minor_unit(code) for code in expected} == expected
    with pytest.raises(ValueError, match="currency 'XXX'"):
        round_line(Decimal(1), "XXX")


def test_fraction_to_decimal_is_exact_or_refuses() -> None:
    assert fraction_to_decimal(Fraction(3, 160)) == Decimal("0.01875")
    assert fraction_to_decimal(Fraction(7)) == Decimal(7)
    with pytest.raises(ValueError, match="no finite decimal"):
        fraction_to_decimal(Fraction(1, 3))


def test_a_line_says_its_quantity_as_a_decimal_when_it_has_a_finite_one() -> None:
    minutes = price(Fraction(153391, 5), rate=Decimal("1.45"), tiers=None, tier_mode=None)
    thirds = price(Fraction(1, 3), rate=Decimal("2"), tiers=None, tier_mode=None)
    assert minutes.detail == "30678.2 @ 1.45"
    assert thirds.detail == "1/3 @ 2"

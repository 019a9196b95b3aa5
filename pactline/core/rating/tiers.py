"""A month's units priced at a flat rate or by volume tiers (contact-center.md §5.1).

Quantities are exact rationals (a per-minute item's unit is a billable minute, billable
seconds / 60, which a Decimal cannot always hold). A tier's ``up_to`` is a bound on the
month's cumulative quantity, compared exactly, fractions included:

* ``graduated``: the part of the quantity inside each band bills at that band's rate, so a
  fractional minute straddling a bound is split at it (10,000.5 minutes on 0–10k/10k–25k:
  10,000 at the first rate, 0.5 at the second);
* ``all_units``: every unit bills at the rate of the first band whose ``up_to`` the
  quantity does not exceed (exactly 10,000 stays in the 0–10k band; 10,000.1 is in the
  next one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pactline.core.agreement import PriceTier


@dataclass(frozen=True, slots=True)
class Priced:
    """``amount`` of a quantity; ``rate`` is the single rate that applied (None when several
    graduated bands did); ``detail`` says how, e.g. ``"10000 @ 0.90 + 8000 @ 0.80"``."""

    amount: Fraction
    rate: Decimal | None
    detail: str


def _fmt(quantity: Fraction) -> str:
    """Exact: a decimal when the quantity has a finite one (30678.2 minutes), else n/d."""
    if quantity.denominator == 1:
        return str(quantity.numerator)
    rest = quantity.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest == 1:
        return format(Decimal(quantity.numerator) / Decimal(quantity.denominator), "f")
    return f"{quantity.numerator}/{quantity.denominator}"


def band_rate(tiers: Sequence[PriceTier], quantity: Fraction) -> Decimal:
    """The rate of the first band whose ``up_to`` the quantity does not exceed."""
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return tier.rate
    raise ValueError("tiers must end with an open band (up_to: null)")


def graduated(tiers: Sequence[PriceTier], quantity: Fraction) -> Priced:
    """Each band's share of ``quantity`` at its rate."""
    amount = Fraction(0)
    parts: list[str] = []
    lower = Fraction(0)
    for tier in tiers:
        upper = None if tier.up_to is None else Fraction(tier.up_to)
        inside = quantity - lower if upper is None else min(quantity, upper) - lower
        if inside <= 0:
            break
        amount += inside * Fraction(tier.rate)
        parts.append(f"{_fmt(inside)} @ {tier.rate}")
        if upper is None:
            break
        lower = upper
    rate = tiers[0].rate if len(parts) <= 1 else None
    return Priced(amount, rate, " + ".join(parts) or f"0 @ {tiers[0].rate}")


def price(
    quantity: Fraction,
    *,
    rate: Decimal | None,
    tiers: Sequence[PriceTier] | None,
    tier_mode: str | None,
) -> Priced:
    """The amount of a month's ``quantity`` under a flat ``rate`` or ``tiers``."""
    if quantity < 0:
        raise ValueError(f"quantity must be >= 0, got {quantity}")
    if rate is not None:
        return Priced(quantity * Fraction(rate), rate, f"{_fmt(quantity)} @ {rate}")
    if not tiers:
        raise ValueError("an item needs a rate or tiers")
    if tier_mode == "graduated":
        return graduated(tiers, quantity)
    if tier_mode == "all_units":
        reached = band_rate(tiers, quantity)
        return Priced(quantity * Fraction(reached), reached, f"{_fmt(quantity)} @ {reached}")
    raise ValueError(f"tier_mode must be graduated or all_units, got {tier_mode!r}")


def top_share(
    total: Fraction,
    part: Fraction,
    *,
    rate: Decimal | None,
    tiers: Sequence[PriceTier] | None,
    tier_mode: str | None,
) -> Fraction:
    """The amount of ``part`` of a month's ``total`` units, taking them as the month's last
    units: ``price(total) - price(total - part)`` for graduated tiers (the top of the stack,
    so the share never depends on the order of the records), ``part`` at the reached rate
    for all-units tiers, ``part`` at the rate for a flat one."""
    if not 0 <= part <= total:
        raise ValueError(f"part must be within 0..{total}, got {part}")
    if rate is not None:
        return part * Fraction(rate)
    if not tiers:
        raise ValueError("an item needs a rate or tiers")
    if tier_mode == "graduated":
        return graduated(tiers, total).amount - graduated(tiers, total - part).amount
    return part * Fraction(band_rate(tiers, total))

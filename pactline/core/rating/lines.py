"""Rated lines: what each charge is, exactly, and the usage behind it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

LineModel = Literal[
    "per_minute",
    "per_call",
    "per_ticket",
    "per_hour",
    "per_fte",
    "after_hours",
    "diversion",
    "one_time",
    "pass_through",
    "minimum_top_up",
]
Unit = Literal["minute", "call", "ticket", "hour", "fte", "fee", "charge", "amount"]


@dataclass(frozen=True, slots=True)
class RatedLine:
    """One charge, exact and unrounded.

    ``quantity`` and ``amount`` are exact rationals (``Fraction``; they compare exactly with
    ``Decimal``): a billable minute is billable seconds / 60, which a Decimal cannot always
    hold (7 s at 1.45 per minute is 0.169166…). Rounding happens once, on the invoice line
    (:func:`~pactline.core.rating.minor_units.round_line`). ``rate`` is the single rate of
    the line (None where several graduated bands apply; ``detail`` then lists them), and
    ``usage_ids`` the sorted ids of the records behind it.
    """

    item: str
    model: LineModel
    quantity: Fraction
    unit: Unit
    rate: Decimal | None
    amount: Fraction
    usage_ids: tuple[str, ...] = ()
    detail: str = ""

    @property
    def exact_decimal(self) -> Decimal:
        """``amount`` as a Decimal; ValueError when its decimal expansion does not end."""
        return fraction_to_decimal(self.amount)


def fraction_to_decimal(value: Fraction) -> Decimal:
    """An exact Decimal of ``value``; ValueError when its expansion does not terminate."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    digits = max(twos, fives)
    scaled = value * 10**digits
    return Decimal(scaled.numerator).scaleb(-digits)

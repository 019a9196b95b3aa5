"""Currency minor units (ISO 4217 exponents) and the one rounding of a line amount."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

# ISO 4217 minor-unit exponents of the currencies agreements use (and a few neighbours).
_TWO = (
    "AED",
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CNY",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "INR",
    "MXN",
    "MYR",
    "NOK",
    "NZD",
    "PHP",
    "PLN",
    "SAR",
    "SEK",
    "SGD",
    "THB",
    "TRY",
    "USD",
    "ZAR",
)
MINOR_UNITS = MappingProxyType(
    {
        **dict.fromkeys(_TWO, 2),
        **dict.fromkeys(("CLP", "ISK", "JPY", "KRW", "VND"), 0),
        **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    }
)


def minor_unit(currency: str) -> int:
    """The ISO 4217 exponent of ``currency``; ValueError when it is not known here."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(f"currency {currency!r} has no known minor unit") from None


def round_line(amount: Fraction | Decimal | int, currency: str) -> tuple[Decimal, str]:
    """``amount`` rounded half-up (halves away from zero) to ``currency``'s minor unit, and
    the rule used, e.g. ``(Decimal("0.02"), "half-up to 0.01 per line")``."""
    exponent = minor_unit(currency)
    scaled = Fraction(amount) * 10**exponent
    magnitude = abs(scaled)
    whole = (magnitude.numerator * 2 + magnitude.denominator) // (2 * magnitude.denominator)
    units = -whole if scaled < 0 else whole
    step = Decimal(1).scaleb(-exponent)
    return Decimal(units).scaleb(-exponent), f"half-up to {step} per line"

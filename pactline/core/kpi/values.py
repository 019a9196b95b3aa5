"""A KPI value that carries its own numerator, denominator and definition.

Reports show the figure *and* how it was obtained (the agreement names the variant), so a
value never travels without its ratio and its translatable definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal
from types import MappingProxyType
from typing import Literal

Unit = Literal["percent", "seconds", "score", "per_hour", "count"]

# Explicit context: results never depend on a caller's thread-local decimal settings.
# 34 digits (decimal128) is far beyond any count or second total a rollup can hold.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class KpiValue:
    """``value`` is ``scale x numerator / denominator``, unrounded; None when nothing to divide.

    ``definition`` is an English sentence marked with ``N_`` with ``{name}`` placeholders;
    the Django layer shows ``gettext(definition).format(**params)``.
    """

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unit: Unit
    definition: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def describe(self) -> str:
        """The English definition filled in (for logs and tests; pages translate first)."""
        return self.definition.format(**self.params)


def ratio(
    numerator: int | Decimal,
    denominator: int | Decimal,
    *,
    unit: Unit,
    definition: str,
    params: Mapping[str, object] | None = None,
    scale: int | Decimal = 1,
) -> KpiValue:
    """``scale x numerator / denominator`` in :data:`CONTEXT`; None for a zero denominator."""
    num, den = Decimal(numerator), Decimal(denominator)
    value = None if den == 0 else CONTEXT.divide(CONTEXT.multiply(num, Decimal(scale)), den)
    return KpiValue(value, num, den, unit, definition, params or {})


def percent(
    numerator: int,
    denominator: int,
    *,
    definition: str,
    params: Mapping[str, object] | None = None,
) -> KpiValue:
    """A share in percent (0-100)."""
    return ratio(
        numerator, denominator, unit="percent", definition=definition, params=params, scale=HUNDRED
    )

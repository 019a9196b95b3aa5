"""Money and the core's credit reasons as people read them (pages, API texts)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from pactline.core.rating.minor_units import minor_unit


def money_text(
    value: Decimal | int | str | None, currency: str = "", *, grouped: bool = True
) -> str:
    """`value` at the currency's minor unit, thousands separated for people (1,234.50) or not
    for files (1234.50). The stored figure is already rounded on its line; this only fixes
    how many decimals show."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
        exponent = minor_unit(currency) if currency else 2
        shown = amount.quantize(Decimal(1).scaleb(-exponent))
        return f"{shown:,f}" if grouped else f"{shown:f}"
    except (InvalidOperation, ValueError):
        return str(value)


# The kinds of approved exclusion a reason names (`core.credits.ExclusionKind`), as people read them.
EXCLUSION_KINDS = {
    "client_caused": gettext_lazy("client-caused"),
    "force_majeure": gettext_lazy("force majeure"),
    "forecast_variance": gettext_lazy("forecast variance"),
}


def _readable(params: dict[str, Any]) -> dict[str, Any]:
    kinds = params.get("kind")
    if not isinstance(kinds, str):
        return params
    named = ", ".join(str(EXCLUSION_KINDS.get(kind, kind)) for kind in kinds.split(", "))
    return {**params, "kind": named}


def translated(template_text: str, params: dict[str, Any]) -> str:
    """A core reason (an English template marked `N_`) in the active language, filled in."""
    params = _readable(params)
    try:
        return gettext(template_text).format(**params)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        try:
            return template_text.format(**params)
        except (KeyError, IndexError, ValueError):
            return template_text


def result_text(value: object) -> str:
    """A measured result as the statement pages show it: two decimals, half-up (the memo keeps
    the exact ratio; a percentage of 87.4699… reads 87.47)."""
    if value is None or value == "":
        return ""
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return str(value)

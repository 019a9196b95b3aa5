"""A month's service credits from its credit-bearing levels and charges.

Steps (each line of the memo says which one decided it):

1. The at-risk amount is ``at_risk_percent`` of the month's charges; the cap is
   ``effective_cap_percent`` of them (by default the at-risk amount).
2. A level earns nothing when it is not measured, met, below its minimum volume, excluded
   by an approved exclusion, or (when the agreement sets ``forecast_tolerance_percent``)
   its volume deviated from the forecast by more than the tolerance. Checked in that order;
   the first that applies is the reason.
3. A credited miss earns, by ``scheme``: ``allocation``: ``allocation_percent`` of the
   at-risk amount; ``bands``: the ``credit_percent`` of the band its shortfall falls in
   (a shortfall equal to a band's bound is in that band) times that; ``per_miss``:
   ``per_miss_amount``.
4. The total is capped; the cap is taken up line by line in the agreement's allocation
   order, so each line also says what it actually credits.

The Texas DIR formula ``Credit = A x B x C`` (A: the category's share of the pool, B: the
level's share of the category, C: the at-risk amount) maps onto the schema as
``allocation_percent = A x B``: the schema has no categories, so a level's
``allocation_percent`` is its whole share of the at-risk amount (:func:`dir_allocation`
composes it). ``pool_percent`` is DIR's "Pool Percentage Available for Allocation": it
bounds the sum of the allocations (checked by the schema) and does not scale a credit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation, Overflow

from pactline.core.agreement.commercial import CreditBand, ServiceCredits
from pactline.core.credits.model import (
    CreditMemo,
    CreditStatus,
    Exclusion,
    LevelCredit,
    LevelResult,
    Month,
    VolumeForecast,
    check_decimal,
)
from pactline.core.i18n import N_

__all__ = ["compute_credits", "dir_allocation"]

# Products of percentages and money have few digits; trapping Inexact proves no step rounds.
EXACT = Context(prec=80, traps=[Inexact, InvalidOperation, Overflow])
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def _share(percent: Decimal, amount: Decimal) -> Decimal:
    """``percent`` % of ``amount``, exactly."""
    return EXACT.divide(EXACT.multiply(percent, amount), HUNDRED)


def dir_allocation(category_percent: Decimal, level_percent: Decimal) -> Decimal:
    """The ``allocation_percent`` of a level under the Texas DIR formula: A x B, where A is
    the category's allocation of the pool and B the level's credit allocation (both %)."""
    check_decimal(category_percent, "category_percent", minimum=ZERO)
    check_decimal(level_percent, "level_percent", minimum=ZERO)
    return _share(category_percent, level_percent)


def _band(bands: Iterable[CreditBand], shortfall: Decimal) -> CreditBand:
    """The first band whose bound the shortfall does not exceed (the last is open)."""
    for band in bands:
        if band.shortfall_up_to_points is None or shortfall <= band.shortfall_up_to_points:
            return band
    raise ValueError("bands: no band covers the shortfall (the last band must be open)")


def _order(credits: ServiceCredits, levels: Iterable[LevelResult]) -> dict[str, LevelResult]:
    """Levels by reference, in the agreement's allocation order (sorted when it has none),
    so that the order the caller gives them in changes nothing."""
    by_reference: dict[str, LevelResult] = {}
    for level in levels:
        if not isinstance(level, LevelResult):
            raise ValueError(f"levels must hold LevelResult values, got {level!r}")
        if level.reference in by_reference:
            raise ValueError(f"levels: {level.reference} is given twice")
        by_reference[level.reference] = level
    allocated = [a.service_level for a in credits.allocations]
    if not allocated:
        return dict(sorted(by_reference.items()))
    unknown = sorted(set(by_reference) - set(allocated))
    if unknown:
        raise ValueError(
            f"levels: {', '.join(unknown)} not a credit-bearing level of the agreement"
        )
    missing = [ref for ref in allocated if ref not in by_reference]
    if missing:
        raise ValueError(f"levels: no result for {', '.join(missing)}")
    return {ref: by_reference[ref] for ref in allocated}


def _exclusions(
    exclusions: Iterable[Exclusion], known: dict[str, LevelResult]
) -> dict[str, tuple[Exclusion, ...]]:
    found: dict[str, list[Exclusion]] = {}
    for exclusion in exclusions:
        if not isinstance(exclusion, Exclusion):
            raise ValueError(f"exclusions must hold Exclusion values, got {exclusion!r}")
        if exclusion.reference not in known:
            raise ValueError(f"exclusions: {exclusion.reference} is not a credit-bearing level")
        found.setdefault(exclusion.reference, []).append(exclusion)
    return {ref: tuple(items) for ref, items in found.items()}


def _forecasts(
    forecasts: Iterable[VolumeForecast], known: dict[str, LevelResult]
) -> dict[str, VolumeForecast]:
    """The forecast that applies to each level: its own, else its channel's."""
    given: dict[str, VolumeForecast] = {}
    channels = {ref.partition(".")[0] for ref in known}
    for forecast in forecasts:
        if not isinstance(forecast, VolumeForecast):
            raise ValueError(f"forecasts must hold VolumeForecast values, got {forecast!r}")
        if forecast.reference in given:
            raise ValueError(f"forecasts: {forecast.reference} is given twice")
        if forecast.reference not in known and forecast.reference not in channels:
            raise ValueError(
                f"forecasts: {forecast.reference} is neither a credit-bearing level "
                "nor the channel of one"
            )
        given[forecast.reference] = forecast
    applied: dict[str, VolumeForecast] = {}
    for ref in known:
        own = given.get(ref) or given.get(ref.partition(".")[0])
        if own is not None:
            applied[ref] = own
    return applied


def _allocation(credits: ServiceCredits, reference: str) -> Decimal | None:
    for allocation in credits.allocations:
        if allocation.service_level == reference:
            return allocation.allocation_percent
    return None


Why = tuple[CreditStatus, str, dict[str, object]]


def _why_not(
    credits: ServiceCredits,
    level: LevelResult,
    exclusions: tuple[Exclusion, ...],
    forecast: VolumeForecast | None,
) -> Why | None:
    """Why the level earns no credit (status, reason, params), or None for a credited miss."""
    tolerance = credits.forecast_tolerance_percent
    if level.verdict == "not_measured":
        return "not_measured", N_("{level} was not measured this month: no credit"), {}
    if level.verdict == "met":
        return "met", N_("{level} met its target: no credit"), {}
    if level.volume < level.minimum_volume:
        return (
            "below_minimum_volume",
            N_("{level} handled {volume}, below its minimum volume of {minimum}: no credit"),
            {"volume": level.volume, "minimum": level.minimum_volume},
        )
    if exclusions:
        return (
            "excluded",
            N_("{level} missed, excluded ({kind}: {why}; approved by {approver}): no credit"),
            {
                "kind": ", ".join(e.kind for e in exclusions),
                "why": "; ".join(e.reason for e in exclusions),
                "approver": ", ".join(e.approver for e in exclusions),
            },
        )
    if tolerance is not None and forecast is not None and forecast.beyond(tolerance):
        return (
            "excluded",
            N_(
                "{level} missed, excluded (forecast_variance: actual volume {actual} deviates "
                "from the forecast {forecast} by more than {tolerance} %): no credit"
            ),
            {"actual": forecast.actual, "forecast": forecast.forecast, "tolerance": tolerance},
        )
    return None


def _credit(
    credits: ServiceCredits, level: LevelResult, allocation: Decimal | None, at_risk: Decimal
) -> tuple[Decimal, CreditBand | None, str, dict[str, object]]:
    """A credited miss's amount before the cap, its band (``bands``), reason and params."""
    # The schema ties per_miss_amount to per_miss and bands to bands.
    if credits.per_miss_amount is not None:
        amount = credits.per_miss_amount
        return amount, None, N_("{level} missed: {amount} per miss"), {"amount": amount}
    if allocation is None:
        raise ValueError(f"allocations: {level.reference} has no allocation_percent")
    amount = _share(allocation, at_risk)
    params: dict[str, object] = {"allocation": allocation, "at_risk": at_risk}
    if credits.bands is None:
        reason = N_("{level} missed: {allocation} percent of the at-risk amount {at_risk}")
        return amount, None, reason, params | {"amount": amount}
    shortfall = level.shortfall or ZERO  # a missed level always has a value
    band = _band(credits.bands, shortfall)
    amount = _share(band.credit_percent, amount)
    reason = N_(
        "{level} missed by {shortfall}: band credit {band} percent of {allocation} percent "
        "of the at-risk amount {at_risk}"
    )
    params |= {"shortfall": shortfall, "band": band.credit_percent, "amount": amount}
    return amount, band, reason, params


def _line(
    credits: ServiceCredits,
    level: LevelResult,
    at_risk: Decimal,
    exclusions: tuple[Exclusion, ...],
    forecast: VolumeForecast | None,
) -> LevelCredit:
    """The level's credit before the cap, and why."""
    allocation = _allocation(credits, level.reference)
    band: CreditBand | None = None
    amount = ZERO
    why = _why_not(credits, level, exclusions, forecast)
    if why is None:
        status: CreditStatus = "credited"
        amount, band, reason, params = _credit(credits, level, allocation, at_risk)
    else:
        status, reason, params = why
    return LevelCredit(
        reference=level.reference,
        target=level.target,
        value=level.value,
        verdict=level.verdict,
        higher_is_better=level.higher_is_better,
        volume=level.volume,
        minimum_volume=level.minimum_volume,
        scheme=credits.scheme,
        allocation_percent=allocation,
        status=status,
        amount=amount,
        credited=amount,
        reason=reason,
        shortfall=level.shortfall if credits.scheme == "bands" else None,
        band_credit_percent=None if band is None else band.credit_percent,
        exclusions=exclusions,
        forecast=forecast,
        params={"level": level.reference, **params},
    )


def _take_cap(line: LevelCredit, remaining: Decimal) -> LevelCredit:
    """The line with ``credited`` cut to what is left of the cap (the memo's note says why)."""
    return line if line.amount <= remaining else replace(line, credited=remaining)


def compute_credits(
    credits: ServiceCredits,
    *,
    month: Month,
    charges: Decimal,
    levels: Iterable[LevelResult],
    exclusions: Iterable[Exclusion] = (),
    forecasts: Iterable[VolumeForecast] = (),
) -> CreditMemo:
    """The credit memo of ``month`` under ``credits`` (see the module docstring).

    ``levels`` must hold exactly the agreement's allocated levels (any levels for a
    ``per_miss`` scheme without allocations); ``charges`` are the month's charges for the
    services in scope. Raises ``ValueError`` naming the field for bad input.
    """
    if not isinstance(credits, ServiceCredits):
        raise ValueError(f"credits must be a ServiceCredits, got {credits!r}")
    if not isinstance(month, Month):
        raise ValueError(f"month must be a Month, got {month!r}")
    check_decimal(charges, "charges", minimum=ZERO)
    ordered = _order(credits, levels)
    excluded = _exclusions(exclusions, ordered)
    applied = _forecasts(forecasts, ordered)
    try:
        return _memo(credits, month, charges, ordered, excluded, applied)
    except DecimalException as error:  # only charges are unbounded; the schema bounds the rest
        raise ValueError(f"charges: {charges} has too many digits to credit exactly") from error


def _memo(
    credits: ServiceCredits,
    month: Month,
    charges: Decimal,
    ordered: dict[str, LevelResult],
    excluded: dict[str, tuple[Exclusion, ...]],
    applied: dict[str, VolumeForecast],
) -> CreditMemo:
    at_risk = _share(credits.at_risk_percent, charges)
    cap = _share(credits.effective_cap_percent, charges)
    lines: list[LevelCredit] = []
    remaining = cap
    for ref, level in ordered.items():
        line = _line(credits, level, at_risk, excluded.get(ref, ()), applied.get(ref))
        line = _take_cap(line, remaining)
        remaining = EXACT.subtract(remaining, line.credited)
        lines.append(line)
    uncapped = ZERO
    for line in lines:
        uncapped = EXACT.add(uncapped, line.amount)
    return CreditMemo(
        month=month,
        scheme=credits.scheme,
        charges=charges,
        at_risk_percent=credits.at_risk_percent,
        at_risk_amount=at_risk,
        cap_percent=credits.effective_cap_percent,
        cap_amount=cap,
        uncapped_total=uncapped,
        total=min(uncapped, cap),
        lines=tuple(lines),
    )

"""Earn-back and chronic failure, read from earlier months' outcomes.

* Earn-back (``earn_back.enabled``): the credit of month M is waived once every
  credit-bearing level is ``met`` in each of the ``consecutive_months_met`` months after M. A
  month counts only when it holds a ``met`` outcome for every credit-bearing level: a miss, a
  not-measured level or a month missing from the history breaks the run (the provider earns
  the credit back by performing, not by absence of data).
* Chronic failure (``chronic_failure``): a level that misses in month A, with at least
  ``misses`` misses within the ``window_months`` consecutive months ending at A, gives the
  client a termination right, found at A. Excused misses (excluded, below minimum volume) do
  not count. The window slides: older misses drop out of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pactline.core.agreement.commercial import ServiceCredits
from pactline.core.credits.memo import EXACT, ZERO
from pactline.core.credits.model import ChronicFailureFinding, EarnedBack, LevelOutcome, Month

__all__ = ["chronic_failures", "earned_back"]


def _by_month(
    history: Iterable[LevelOutcome], as_of: Month
) -> dict[Month, dict[str, LevelOutcome]]:
    """Outcomes up to ``as_of``, by month and level; a level twice in a month is an error."""
    months: dict[Month, dict[str, LevelOutcome]] = {}
    for outcome in history:
        if not isinstance(outcome, LevelOutcome):
            raise ValueError(f"history must hold LevelOutcome values, got {outcome!r}")
        if outcome.month > as_of:
            continue
        levels = months.setdefault(outcome.month, {})
        if outcome.reference in levels:
            raise ValueError(f"history: {outcome.reference} is given twice for {outcome.month}")
        levels[outcome.reference] = outcome
    return months


def _check(credits: ServiceCredits, as_of: Month) -> None:
    if not isinstance(credits, ServiceCredits):
        raise ValueError(f"credits must be a ServiceCredits, got {credits!r}")
    if not isinstance(as_of, Month):
        raise ValueError(f"as_of must be a Month, got {as_of!r}")


def _check_known(credits: ServiceCredits, months: dict[Month, dict[str, LevelOutcome]]) -> None:
    allocated = {a.service_level for a in credits.allocations}
    if not allocated:
        return
    for month, levels in months.items():
        unknown = sorted(set(levels) - allocated)
        if unknown:
            raise ValueError(
                f"history: {', '.join(unknown)} ({month}) not a credit-bearing level "
                "of the agreement"
            )


def earned_back(
    credits: ServiceCredits, history: Iterable[LevelOutcome], as_of: Month
) -> tuple[EarnedBack, ...]:
    """The credits of earlier months waived as of ``as_of`` (outcomes after it are ignored),
    oldest first; none when earn-back is off.

    The credit-bearing levels are the agreement's allocations, or, for a ``per_miss`` scheme
    without them, the levels the history holds for the month being checked.
    """
    _check(credits, as_of)
    months = _by_month(history, as_of)
    _check_known(credits, months)
    run = credits.earn_back.consecutive_months_met
    if not credits.earn_back.enabled or run is None:
        return ()
    required = {a.service_level for a in credits.allocations}

    def all_met(month: Month) -> bool:
        levels = months.get(month, {})
        expected = required or set(levels)
        return bool(expected) and all(
            ref in levels and levels[ref].verdict == "met" for ref in expected
        )

    found: list[EarnedBack] = []
    for month in sorted(months):
        amount = ZERO
        for outcome in months[month].values():
            amount = EXACT.add(amount, outcome.credited)
        last = month.shifted(run)
        waived = all(all_met(month.shifted(k)) for k in range(1, run + 1))
        if amount > 0 and last <= as_of and waived:
            found.append(EarnedBack(month, amount, last))
    return tuple(found)


def chronic_failures(
    credits: ServiceCredits, history: Iterable[LevelOutcome], as_of: Month
) -> tuple[ChronicFailureFinding, ...]:
    """The chronic failures found in ``as_of``: each level that missed in ``as_of`` with at
    least ``misses`` misses in the window ending there (``history`` includes ``as_of``).
    None when the agreement has no chronic-failure clause. Sorted by level."""
    _check(credits, as_of)
    months = _by_month(history, as_of)
    _check_known(credits, months)
    clause = credits.chronic_failure
    if clause is None:
        return ()
    window = [as_of.shifted(-k) for k in range(clause.window_months - 1, -1, -1)]
    findings: list[ChronicFailureFinding] = []
    for ref in sorted(months.get(as_of, {})):
        if not months[as_of][ref].counts_as_miss:
            continue
        missed = tuple(
            m for m in window if ref in months.get(m, {}) and months[m][ref].counts_as_miss
        )
        if len(missed) >= clause.misses:
            findings.append(
                ChronicFailureFinding(ref, missed, as_of, clause.misses, clause.window_months)
            )
    return tuple(findings)

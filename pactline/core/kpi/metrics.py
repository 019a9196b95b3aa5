"""An agreement's service-level metrics evaluated over measures, and their verdicts.

The metric model (``pactline.core.agreement.service_levels``) fixes the variant; this module
only dispatches to the formula, picks the volume the minimum-volume rule counts, and compares
the unrounded value with the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pactline.core.agreement.service_levels import (
    AbandonRateMetric,
    AhtMetric,
    AsaMetric,
    ClockMetric,
    CsatMetric,
    FcrMetric,
    FirstResponseMetric,
    NextResponseMetric,
    NpsMetric,
    PeriodicUpdateMetric,
    ResolutionMetric,
    ServiceLevelMetric,
)
from pactline.core.kpi.formulas import (
    abandon_rate,
    aht,
    asa,
    clock_compliance,
    csat,
    fcr,
    nps,
    service_level,
)
from pactline.core.kpi.measures import Measures, short_abandon_key
from pactline.core.kpi.values import KpiValue

AnyMetric = (
    ServiceLevelMetric
    | AbandonRateMetric
    | AsaMetric
    | AhtMetric
    | FcrMetric
    | FirstResponseMetric
    | NextResponseMetric
    | PeriodicUpdateMetric
    | ResolutionMetric
    | CsatMetric
    | NpsMetric
)
Verdict = Literal["met", "missed", "not_measured"]


@dataclass(frozen=True, slots=True)
class ClockCounts:
    """Stopped SLA clocks of one kind in a period, and how many of them met their target."""

    met: int = 0
    stopped: int = 0

    def __add__(self, other: ClockCounts) -> ClockCounts:
        if not isinstance(other, ClockCounts):
            return NotImplemented
        return ClockCounts(self.met + other.met, self.stopped + other.stopped)


def _clock_counts(metric: ClockMetric, m: Measures, clocks: ClockCounts | None) -> ClockCounts:
    """``clocks`` when given; first response and resolution can also come from the measures."""
    if clocks is not None:
        return clocks
    if isinstance(metric, FirstResponseMetric):
        return ClockCounts(m.first_responses_within, m.first_responses)
    if isinstance(metric, ResolutionMetric):
        return ClockCounts(m.resolutions_within, m.resolutions)
    raise ValueError(f"{metric.kind} needs clock counts")


def evaluate_metric(metric: AnyMetric, m: Measures, clocks: ClockCounts | None = None) -> KpiValue:
    """The metric's value over ``m`` under the agreement's measurement definition."""
    if isinstance(metric, ServiceLevelMetric):
        return service_level(
            m,
            variant=metric.variant,
            threshold=metric.threshold_seconds,
            short_abandon=metric.short_abandon_seconds,
        )
    if isinstance(metric, AbandonRateMetric):
        return abandon_rate(m, variant=metric.variant, short_abandon=metric.short_abandon_seconds)
    if isinstance(metric, AsaMetric):
        return asa(m)
    if isinstance(metric, AhtMetric):
        return aht(m, includes_hold=metric.includes_hold, includes_acw=metric.includes_acw)
    if isinstance(metric, FcrMetric):
        return fcr(m, method=metric.method, window_days=metric.window_days)
    if isinstance(metric, CsatMetric):
        return csat(m, method=metric.method)
    if isinstance(metric, NpsMetric):
        return nps(m)
    counts = _clock_counts(metric, m, clocks)
    return clock_compliance(met=counts.met, stopped=counts.stopped, clock=metric.kind)


def volume_of(metric: AnyMetric, m: Measures, clocks: ClockCounts | None = None) -> int:
    """What ``minimum_volume`` counts: contacts offered to the queue for the queue metrics,
    contacts handled for AHT, the method's base for FCR, responses for surveys, and stopped
    clocks for clock metrics."""
    if isinstance(metric, ServiceLevelMetric | AbandonRateMetric | AsaMetric):
        return m.offered
    if isinstance(metric, AhtMetric):
        return m.handled
    if isinstance(metric, FcrMetric):
        return {
            "repeat_contact": m.fcr_contacts,
            "disposition": m.fcr_disposition_total,
            "survey": m.fcr_survey_responses,
        }[metric.method]
    if isinstance(metric, CsatMetric):
        return m.csat_responses
    if isinstance(metric, NpsMetric):
        return m.nps_responses
    return _clock_counts(metric, m, clocks).stopped


def verdict(metric: AnyMetric, value: KpiValue, volume: int) -> Verdict:
    """Met or missed against the target, unrounded; not measured without data or volume.

    Shares and scores must reach their target (>=); abandonment, ASA and AHT must not
    exceed their maximum (<=).
    """
    if value.value is None or volume < metric.minimum_volume:
        return "not_measured"
    if isinstance(metric, AbandonRateMetric):
        good = value.value <= metric.max_percent
    elif isinstance(metric, AsaMetric | AhtMetric):
        good = value.value <= metric.max_seconds
    elif isinstance(metric, CsatMetric | NpsMetric):
        good = value.value >= metric.target
    else:
        good = value.value >= metric.target_percent
    return "met" if good else "missed"


def tracked_thresholds(metrics: Iterable[AnyMetric]) -> frozenset[int]:
    """The ``within`` keys that rollups must track for ``metrics`` to be evaluated."""
    keys: set[int | None] = set()
    for metric in metrics:
        if isinstance(metric, ServiceLevelMetric):
            keys.add(metric.threshold_seconds)
            if metric.short_abandon_seconds is not None:
                keys.add(short_abandon_key(metric.short_abandon_seconds))
        elif isinstance(metric, AbandonRateMetric):
            keys.add(short_abandon_key(metric.short_abandon_seconds))
    return frozenset(key for key in keys if key is not None)

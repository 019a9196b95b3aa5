"""Additive measures: the only thing rollups store, so any period or filter is a plain sum.

Every KPI is a ratio of sums of these fields (see :mod:`pactline.core.kpi.formulas`), which is
why a month reads a few thousand interval rows yet gives the same answer as recomputing from
the contacts themselves.

Threshold counts (:class:`Within`) use one rule, **wait <= T** (inclusive, as Asterisk's
``callcompletedinsl``), for every field. Waits are whole seconds, so a *short abandon* under
the short-abandon threshold S ("wait < S") is ``within[S - 1].abandoned``; S = 0 means no
call is a short abandon. :func:`short_abandon_key` names the key and rollups must track it
(:func:`pactline.core.kpi.tracked_thresholds` lists every key an agreement's metrics read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from types import MappingProxyType
from typing import Literal

CallOutcome = Literal["answered", "abandoned", "callback", "other", "not_queued"]
CALL_OUTCOMES: tuple[CallOutcome, ...] = (
    "answered",
    "abandoned",
    "callback",
    "other",
    "not_queued",
)


@dataclass(frozen=True, slots=True)
class Within:
    """Queued contacts that left the queue with wait <= T, for one threshold T (seconds)."""

    answered: int = 0  # answered with wait <= T
    abandoned: int = 0  # abandoned with wait <= T
    removed: int = 0  # answered + abandoned + callback requested, wait <= T (SL-E)

    def __add__(self, other: Within) -> Within:
        if not isinstance(other, Within):
            return NotImplemented
        return Within(
            self.answered + other.answered,
            self.abandoned + other.abandoned,
            self.removed + other.removed,
        )


def _frozen(within: Mapping[int, Within]) -> Mapping[int, Within]:
    return MappingProxyType(dict(within))


@dataclass(frozen=True, slots=True)
class Measures:
    """Sums over a set of contacts; ``Measures()`` is the zero and ``+`` is the only operation.

    ``within`` holds the threshold counts per tracked threshold. A key present with zero
    counts differs from a missing key: it says the threshold was tracked and nothing met it.
    """

    offered: int = 0  # contacts queued / arrived
    answered: int = 0
    abandoned: int = 0  # caller left while queued
    callbacks: int = 0  # callback requested (left queue with a key)
    other_unanswered: int = 0  # timeouts, exits because no agents, withdrawn, refused
    answered_wait_seconds: int = 0
    abandoned_wait_seconds: int = 0
    talk_seconds: int = 0
    hold_seconds: int = 0
    acw_seconds: int = 0
    held: int = 0  # handled contacts that went on hold at least once
    handled: int = 0  # contacts an agent handled (answered calls; async cases with a reply)
    first_responses: int = 0
    first_responses_within: int = 0
    first_response_business_seconds: int = 0
    first_response_calendar_seconds: int = 0
    resolutions: int = 0
    resolutions_within: int = 0
    resolution_business_seconds: int = 0
    resolution_calendar_seconds: int = 0
    fcr_contacts: int = 0  # contacts eligible for repeat-contact FCR
    fcr_repeats: int = 0  # of those, followed by a repeat within the window, same category
    fcr_disposition_total: int = 0
    fcr_disposition_resolved: int = 0
    fcr_survey_responses: int = 0
    fcr_survey_yes: int = 0
    csat_responses: int = 0
    csat_top2: int = 0  # 4 or 5 on the 1-5 scale
    csat_score_sum: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0  # 9-10
    nps_detractors: int = 0  # 0-6
    staffed_seconds: int = 0  # agent logged in and not paused (occupancy, contacts per hour)
    within: Mapping[int, Within] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy: a shared or later-mutated dict must not change a frozen value.
        object.__setattr__(self, "within", _frozen(self.within))

    @classmethod
    def fields_additive(cls) -> tuple[str, ...]:
        """Names of the integer fields, in declaration order (one SQL column each)."""
        return _ADDITIVE

    def __add__(self, other: Measures) -> Measures:
        if not isinstance(other, Measures):
            return NotImplemented
        return total((self, other))


_ADDITIVE: tuple[str, ...] = tuple(f.name for f in fields(Measures) if f.name != "within")
_values: Callable[[Measures], tuple[int, ...]] = attrgetter(*_ADDITIVE)


def total(items: Iterable[Measures]) -> Measures:
    """The sum of ``items`` (``Measures()`` for none); ``within`` is merged by threshold."""
    sums = [0] * len(_ADDITIVE)
    within: dict[int, Within] = {}
    for item in items:
        sums = [a + b for a, b in zip(sums, _values(item), strict=True)]
        for key, counts in item.within.items():
            within[key] = within[key] + counts if key in within else counts
    return Measures(**dict(zip(_ADDITIVE, sums, strict=True)), within=within)


class UntrackedThreshold(ValueError):
    """A KPI needs threshold counts that the measures did not track."""

    def __init__(self, threshold: int) -> None:
        super().__init__(f"threshold {threshold} s was not tracked in these measures")
        self.threshold = threshold


def counts_within(measures: Measures, threshold: int) -> Within:
    """The counts at ``threshold``; zero when nothing was queued, else the key must exist.

    A missing key over queued contacts is a rollup that did not track the threshold, and
    reading it as zero would report a wrong service level, so it is an error.
    """
    found = measures.within.get(threshold)
    if found is not None:
        return found
    if measures.offered or measures.answered or measures.abandoned or measures.callbacks:
        raise UntrackedThreshold(threshold)
    return Within()


def short_abandons(measures: Measures, short_abandon: int) -> int:
    """Abandons with wait < ``short_abandon`` seconds (``within[S - 1]``; none for S = 0)."""
    key = short_abandon_key(short_abandon)
    return 0 if key is None else counts_within(measures, key).abandoned


def short_abandon_key(short_abandon: int) -> int | None:
    """The ``within`` key whose ``abandoned`` counts waits < ``short_abandon`` (None for 0)."""
    if short_abandon < 0:
        raise ValueError("short_abandon must be >= 0")
    return short_abandon - 1 if short_abandon else None


def _check_seconds(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


def call_measures(
    *,
    outcome: CallOutcome,
    wait: int,
    talk: int = 0,
    hold: int = 0,
    acw: int = 0,
    thresholds: Iterable[int] = (),
) -> Measures:
    """The measures of one call.

    Queued outcomes (``answered``, ``abandoned``, ``callback``, ``other``) are offered once
    and counted in ``within`` at every threshold with wait <= T (``other`` - timeouts,
    exits, withdrawals - never counts as within: it is not an answer, an abandon or a
    callback). Only an answered call has handle time; the others must pass zero.

    ``not_queued`` is an outbound or direct call: it is not offered and has no wait, so it
    changes no queue KPI (service level, abandonment, ASA). If it connected (``talk > 0``)
    it is handled and its talk/hold/after-call work count towards AHT, occupancy and
    contacts per hour; a dial that never connected contributes nothing.
    """
    if outcome not in CALL_OUTCOMES:
        raise ValueError(f"unknown call outcome {outcome!r}")
    keys = tuple(thresholds)
    if min(wait, talk, hold, acw, *keys) < 0:
        _check_seconds(wait=wait, talk=talk, hold=hold, acw=acw)
        raise ValueError(f"thresholds must be >= 0, got {keys}")
    if outcome == "not_queued":
        if wait:
            raise ValueError("a call that was not queued has no wait")
        if not talk:
            return Measures()
        return _handled(talk, hold, acw)
    if outcome != "answered" and (talk or hold or acw):
        raise ValueError(f"a call with outcome {outcome!r} has no handle time")
    answered = outcome == "answered"
    abandoned = outcome == "abandoned"
    counted = outcome != "other"
    within = {
        key: Within(
            answered=int(answered and wait <= key),
            abandoned=int(abandoned and wait <= key),
            removed=int(counted and wait <= key),
        )
        for key in keys
    }
    return Measures(
        handled=int(answered),
        talk_seconds=talk,
        hold_seconds=hold,
        acw_seconds=acw,
        held=int(hold > 0),
        offered=1,
        answered=int(answered),
        abandoned=int(abandoned),
        callbacks=int(outcome == "callback"),
        other_unanswered=int(outcome == "other"),
        answered_wait_seconds=wait if answered else 0,
        abandoned_wait_seconds=wait if abandoned else 0,
        within=within,
    )


def _handled(talk: int, hold: int, acw: int) -> Measures:
    return Measures(
        handled=1,
        talk_seconds=talk,
        hold_seconds=hold,
        acw_seconds=acw,
        held=int(hold > 0),
    )


def survey_measures(*, csat: int | None, nps: int | None, resolved: bool | None) -> Measures:
    """One survey response: CSAT on 1-5, NPS on 0-10, "was it resolved?"; None = unanswered."""
    if csat is not None and not 1 <= csat <= 5:
        raise ValueError(f"csat must be 1-5, got {csat}")
    if nps is not None and not 0 <= nps <= 10:
        raise ValueError(f"nps must be 0-10, got {nps}")
    return Measures(
        csat_responses=int(csat is not None),
        csat_top2=int(csat is not None and csat >= 4),
        csat_score_sum=csat or 0,
        nps_responses=int(nps is not None),
        nps_promoters=int(nps is not None and nps >= 9),
        nps_detractors=int(nps is not None and nps <= 6),
        fcr_survey_responses=int(resolved is not None),
        fcr_survey_yes=int(bool(resolved)),
    )


@dataclass(frozen=True, slots=True)
class Elapsed:
    """One stopped response or resolution clock: its time in both bases, and if it met target."""

    business_seconds: int
    calendar_seconds: int
    met: bool


def case_measures(
    *,
    handled: bool,
    first_response: Elapsed | None = None,
    resolution: Elapsed | None = None,
    repeated: bool | None = None,
    disposition_resolved: bool | None = None,
) -> Measures:
    """One async case (email, chat, ticket): ``handled`` once an agent replied.

    ``repeated`` is None when the case is not eligible for repeat-contact FCR (e.g. the
    window has not closed yet); ``disposition_resolved`` is None when the agent set none.
    """
    measures = Measures(
        handled=int(handled),
        fcr_contacts=int(repeated is not None),
        fcr_repeats=int(bool(repeated)),
        fcr_disposition_total=int(disposition_resolved is not None),
        fcr_disposition_resolved=int(bool(disposition_resolved)),
    )
    if first_response is not None:
        _check_seconds(
            first_response_business=first_response.business_seconds,
            first_response_calendar=first_response.calendar_seconds,
        )
        measures += Measures(
            first_responses=1,
            first_responses_within=int(first_response.met),
            first_response_business_seconds=first_response.business_seconds,
            first_response_calendar_seconds=first_response.calendar_seconds,
        )
    if resolution is not None:
        _check_seconds(
            resolution_business=resolution.business_seconds,
            resolution_calendar=resolution.calendar_seconds,
        )
        measures += Measures(
            resolutions=1,
            resolutions_within=int(resolution.met),
            resolution_business_seconds=resolution.business_seconds,
            resolution_calendar_seconds=resolution.calendar_seconds,
        )
    return measures

"""KPI formulas over :class:`Measures`: each a ratio of sums, with its variant named.

Definitions and variants follow the contact-centre reference (section 1); the agreement picks
the variant. Values are unrounded (callers format); percentages are 0-100.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from pactline.core.agreement.base import TimeBasis
from pactline.core.agreement.service_levels import ServiceLevelVariant
from pactline.core.i18n import N_
from pactline.core.kpi.measures import Measures, counts_within, short_abandons
from pactline.core.kpi.values import CONTEXT, KpiValue, percent, ratio

AbandonVariant = Literal["queued", "answered_plus_abandoned"]
FcrMethod = Literal["repeat_contact", "disposition", "survey"]
CsatMethod = Literal["top2box", "mean"]
ClockKind = Literal["first_response", "next_response", "periodic_update", "resolution"]

_SERVICE_LEVEL = {
    "SL-A": N_("Calls answered within {threshold} s as a share of calls answered (SL-A)."),
    "SL-B": N_(
        "Calls answered within {threshold} s as a share of calls answered or abandoned (SL-B)."
    ),
    "SL-C": N_(
        "Calls answered within {threshold} s as a share of calls answered or abandoned,"
        " not counting calls abandoned in under {short_abandon} s (SL-C)."
    ),
    "SL-D": N_(
        "Calls answered or abandoned within {threshold} s as a share of calls answered or"
        " abandoned (SL-D)."
    ),
    "SL-E": N_(
        "Contacts answered, abandoned or turned into a callback request within {threshold} s"
        " as a share of contacts queued (SL-E)."
    ),
}


def service_level(
    m: Measures,
    *,
    variant: ServiceLevelVariant,
    threshold: int,
    short_abandon: int | None = None,
) -> KpiValue:
    """Service level in percent; ``short_abandon`` (seconds, wait < S) is for SL-C only."""
    if (variant == "SL-C") != (short_abandon is not None):
        raise ValueError("short_abandon is required for SL-C and applies to no other variant")
    within = counts_within(m, threshold)
    params: dict[str, object] = {"variant": variant, "threshold": threshold}
    numerator = within.answered
    if variant == "SL-A":
        denominator = m.answered
    elif variant == "SL-E":
        numerator, denominator = within.removed, m.offered
    else:
        denominator = m.answered + m.abandoned
        if variant == "SL-D":
            numerator += within.abandoned
        elif short_abandon is not None:  # SL-C, checked above
            denominator -= short_abandons(m, short_abandon)
            params["short_abandon"] = short_abandon
    return percent(numerator, denominator, definition=_SERVICE_LEVEL[variant], params=params)


_ABANDON = {
    ("queued", False): N_("Calls abandoned while queued as a share of calls queued."),
    ("queued", True): N_(
        "Calls abandoned while queued as a share of calls queued, not counting calls"
        " abandoned in under {short_abandon} s."
    ),
    ("answered_plus_abandoned", False): N_(
        "Calls abandoned while queued as a share of calls answered or abandoned."
    ),
    ("answered_plus_abandoned", True): N_(
        "Calls abandoned while queued as a share of calls answered or abandoned, not counting"
        " calls abandoned in under {short_abandon} s."
    ),
}


def abandon_rate(m: Measures, *, variant: AbandonVariant, short_abandon: int = 0) -> KpiValue:
    """Abandonment in percent; short abandons (wait < S) leave numerator and denominator."""
    short = short_abandons(m, short_abandon)
    base = m.offered if variant == "queued" else m.answered + m.abandoned
    return percent(
        m.abandoned - short,
        base - short,
        definition=_ABANDON[variant, short_abandon > 0],
        params={"variant": variant, "short_abandon": short_abandon},
    )


def _seconds(numerator: int, denominator: int, definition: str, **params: object) -> KpiValue:
    return ratio(numerator, denominator, unit="seconds", definition=definition, params=params)


def average_abandon_time(m: Measures) -> KpiValue:
    """Mean queue wait of abandoned calls, short abandons included."""
    return _seconds(
        m.abandoned_wait_seconds, m.abandoned, N_("Average wait of calls abandoned in queue.")
    )


def asa(m: Measures) -> KpiValue:
    """Average speed of answer: queue wait over answered calls only (operational ASA)."""
    return _seconds(
        m.answered_wait_seconds,
        m.answered,
        N_("Average speed of answer: queue wait of answered calls over calls answered."),
    )


_AHT = {
    (True, True): N_("Average handle time: talk, hold and after-call work per contact handled."),
    (True, False): N_("Average handle time: talk and hold per contact handled."),
    (False, True): N_("Average handle time: talk and after-call work per contact handled."),
    (False, False): N_("Average handle time: talk per contact handled."),
}


def aht(m: Measures, *, includes_hold: bool = True, includes_acw: bool = True) -> KpiValue:
    """Average handle time; staffing needs it with after-call work (the default)."""
    seconds = m.talk_seconds
    seconds += m.hold_seconds if includes_hold else 0
    seconds += m.acw_seconds if includes_acw else 0
    return _seconds(
        seconds,
        m.handled,
        _AHT[includes_hold, includes_acw],
        includes_hold=includes_hold,
        includes_acw=includes_acw,
    )


def average_talk(m: Measures) -> KpiValue:
    return _seconds(m.talk_seconds, m.handled, N_("Average talk time per contact handled."))


def average_hold(m: Measures, *, over: Literal["handled", "held"] = "handled") -> KpiValue:
    """Hold per handled contact, or (Amazon Connect style) only per contact put on hold."""
    if over == "held":
        return _seconds(
            m.hold_seconds, m.held, N_("Average hold time per contact put on hold."), over=over
        )
    return _seconds(
        m.hold_seconds, m.handled, N_("Average hold time per contact handled."), over=over
    )


def average_acw(m: Measures) -> KpiValue:
    return _seconds(m.acw_seconds, m.handled, N_("Average after-call work per contact handled."))


def first_response_time(m: Measures, *, basis: TimeBasis) -> KpiValue:
    if basis == "business":
        return _seconds(
            m.first_response_business_seconds,
            m.first_responses,
            N_("Average time to the first agent response, in business hours."),
            basis=basis,
        )
    return _seconds(
        m.first_response_calendar_seconds,
        m.first_responses,
        N_("Average time to the first agent response, in calendar time."),
        basis=basis,
    )


def resolution_time(m: Measures, *, basis: TimeBasis) -> KpiValue:
    if basis == "business":
        return _seconds(
            m.resolution_business_seconds,
            m.resolutions,
            N_("Average time to resolution, in business hours."),
            basis=basis,
        )
    return _seconds(
        m.resolution_calendar_seconds,
        m.resolutions,
        N_("Average time to resolution, in calendar time."),
        basis=basis,
    )


def first_response_within_target(m: Measures) -> KpiValue:
    return percent(
        m.first_responses_within,
        m.first_responses,
        definition=N_("First responses within target as a share of first responses."),
    )


def resolution_within_target(m: Measures) -> KpiValue:
    return percent(
        m.resolutions_within,
        m.resolutions,
        definition=N_("Resolutions within target as a share of resolutions."),
    )


def fcr(m: Measures, *, method: FcrMethod, window_days: int | None = None) -> KpiValue:
    """First-contact resolution in percent, by the agreement's measurement method."""
    params: dict[str, object] = {"method": method}
    if method == "repeat_contact":
        params["window_days"] = window_days
        definition = (
            N_("Contacts with no repeat contact on the same issue, as a share of contacts.")
            if window_days is None
            else N_(
                "Contacts with no repeat contact on the same issue within {window_days} days,"
                " as a share of contacts."
            )
        )
        return percent(
            m.fcr_contacts - m.fcr_repeats, m.fcr_contacts, definition=definition, params=params
        )
    if method == "disposition":
        return percent(
            m.fcr_disposition_resolved,
            m.fcr_disposition_total,
            definition=N_("Contacts the agent marked resolved, as a share of contacts marked."),
            params=params,
        )
    return percent(
        m.fcr_survey_yes,
        m.fcr_survey_responses,
        definition=N_("Survey answers saying the issue was resolved, as a share of answers."),
        params=params,
    )


def csat(m: Measures, *, method: CsatMethod = "top2box") -> KpiValue:
    """CSAT on the 1-5 scale: top-2-box percent, or the mean score (reports say which)."""
    if method == "top2box":
        return percent(
            m.csat_top2,
            m.csat_responses,
            definition=N_("Satisfaction answers of 4 or 5 (of 5) as a share of all answers."),
            params={"method": method},
        )
    return ratio(
        m.csat_score_sum,
        m.csat_responses,
        unit="score",
        definition=N_("Mean satisfaction score on a scale of 1 to 5."),
        params={"method": method},
    )


def nps(m: Measures) -> KpiValue:
    """Net promoter score, -100..100: numerator is promoters minus detractors."""
    return ratio(
        m.nps_promoters - m.nps_detractors,
        m.nps_responses,
        unit="score",
        definition=N_("Percentage of promoters (9-10) minus percentage of detractors (0-6)."),
        scale=100,
    )


def occupancy(m: Measures) -> KpiValue:
    """Handle time over staffed time; concurrent chats can push it past 100 (not clamped)."""
    return percent(
        m.talk_seconds + m.hold_seconds + m.acw_seconds,
        m.staffed_seconds,
        definition=N_("Handle time as a share of staffed time (logged in and not paused)."),
    )


def contacts_per_hour(m: Measures) -> KpiValue:
    """Handled contacts per staffed hour; the denominator is in hours."""
    value = ratio(
        m.handled,
        m.staffed_seconds,
        unit="per_hour",
        definition=N_("Contacts handled per staffed hour."),
        scale=3600,
    )
    return replace(value, denominator=CONTEXT.divide(Decimal(m.staffed_seconds), Decimal(3600)))


_CLOCKS = {
    None: N_("Clocks stopped within target as a share of clocks stopped."),
    "first_response": N_("First responses within target as a share of first responses."),
    "next_response": N_("Next responses within target as a share of next responses."),
    "periodic_update": N_("Periodic updates within target as a share of updates due."),
    "resolution": N_("Resolutions within target as a share of resolutions."),
}


def clock_compliance(*, met: int, stopped: int, clock: ClockKind | None = None) -> KpiValue:
    """Share of stopped SLA clocks that met their target (running clocks are not counted)."""
    if not 0 <= met <= stopped:
        raise ValueError(f"need 0 <= met <= stopped, got met={met}, stopped={stopped}")
    params: dict[str, object] = {} if clock is None else {"clock": clock}
    return percent(met, stopped, definition=_CLOCKS[clock], params=params)

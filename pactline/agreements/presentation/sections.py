"""Shaping of the agreement's parties, tiers, calendars, channels and service levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext

from pactline.agreements.presentation.labels import (
    CHANNELS,
    CLOCK_DEFINITIONS,
    METRIC_KINDS,
    PERIODS,
    SL_VARIANTS,
    TIERS,
    TIME_BASIS,
    WEEKDAY_NAMES,
    days,
    duration,
    label,
    labels_of,
    percent,
    plain,
)
from pactline.core.agreement import WEEKDAYS, AgreementDocument, CalendarSpec, Contact
from pactline.core.agreement.calendar import MINUTES_PER_DAY
from pactline.core.agreement.parties import Client, Provider
from pactline.core.agreement.service_levels import (
    AbandonRateMetric,
    AhtMetric,
    AsaMetric,
    ClockMetric,
    CsatMetric,
    FcrMetric,
    Metric,
    NpsMetric,
    ServiceLevelMetric,
)

# --- Parties, term, scope -------------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    name: str
    legal_name: str
    address: str
    tax_id: str
    contacts: list[Contact]


@dataclass(frozen=True)
class TierView:
    name: str
    current: bool
    description: str
    features: list[str]
    channels: list[str]
    account_manager: Contact | None


def party_view(party: Provider | Client) -> PartyView:
    return PartyView(
        party.name,
        party.legal_name or "",
        party.address or "",
        party.tax_id or "",
        list(party.contacts),
    )


def term_text(doc: AgreementDocument) -> str:
    term = doc.term
    if term.end is None:
        span = gettext("from %(start)s, open-ended") % {"start": term.start.isoformat()}
    else:
        span = gettext("%(start)s to %(end)s") % {
            "start": term.start.isoformat(),
            "end": term.end.isoformat(),
        }
    if term.renewal == "auto":
        renewal = gettext("renews automatically for %(n)s months at a time") % {
            "n": term.renewal_months
        }
    else:
        renewal = gettext("no automatic renewal")
    return gettext("%(span)s; %(renewal)s") % {"span": span, "renewal": renewal}


def tier_views(doc: AgreementDocument) -> list[TierView]:
    views = []
    for name, tier in doc.tiers.items():
        features = []
        if tier.response_factor != 1:
            features.append(
                gettext("Response and resolution targets × %(f)s")
                % {"f": plain(tier.response_factor)}
            )
        if tier.minimum_priority:
            features.append(gettext("Priority at least %(p)s") % {"p": tier.minimum_priority})
        if tier.priority_routing:
            features.append(gettext("Priority treatment in queues"))
        if tier.dedicated_account_manager:
            features.append(gettext("Dedicated account manager"))
        views.append(
            TierView(
                name=label(TIERS, name),
                current=doc.tier == name,
                description=tier.description or "",
                features=features,
                channels=labels_of(CHANNELS, tier.channels),
                account_manager=tier.account_manager,
            )
        )
    return views


# --- Calendars ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalView:
    text: str
    overnight: bool


@dataclass(frozen=True)
class DayRow:
    day: str
    intervals: list[IntervalView]


@dataclass(frozen=True)
class CalendarView:
    name: str
    timezone: str
    description: str
    always: bool
    week: list[DayRow]
    holidays: str
    closed_dates: list[date]
    public_holidays: list[tuple[date, str]]
    make_up_workdays: list[date]
    overrides: list[DayRow]
    used_by: list[str]


def _clock(minutes: int) -> str:
    """Local wall time; an end past midnight shows the next day's time, 24:00 stays 24:00."""
    if minutes > MINUTES_PER_DAY:
        minutes -= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def interval_view(start: int, end: int) -> IntervalView:
    """Minutes from local midnight; an end past 24:00 runs into the next day."""
    return IntervalView(f"{_clock(start)}–{_clock(end)}", overnight=end > MINUTES_PER_DAY)


def calendar_view(name: str, spec: CalendarSpec, *, year: int, used_by: list[str]) -> CalendarView:
    weekly = spec.weekly_intervals()
    week = [
        DayRow(label(WEEKDAY_NAMES, day), [interval_view(s, e) for s, e in weekly[index]])
        for index, day in enumerate(WEEKDAYS)
    ]
    overrides = [
        DayRow(day.isoformat(), [interval_view(s, e) for s, e in intervals])
        for day, intervals in spec.override_intervals().items()
    ]
    holidays = ""
    if spec.holidays is not None:
        where = spec.holidays.country
        if spec.holidays.subdivision:
            where += f"-{spec.holidays.subdivision}"
        holidays = gettext("Public holidays of %(where)s") % {"where": where}
    return CalendarView(
        name=name,
        timezone=spec.timezone,
        description=spec.description or "",
        always=spec.always_open,
        week=week,
        holidays=holidays,
        closed_dates=sorted(spec.closed_dates()),
        public_holidays=list(spec.public_holidays([year]).items()),
        make_up_workdays=sorted(spec.make_up_workdays([year])),
        overrides=overrides,
        used_by=used_by,
    )


@dataclass(frozen=True)
class ChannelView:
    kind: str
    enabled: bool
    addresses: list[str]
    calendar: str
    critical_calendar: str
    critical_priorities: list[str]  # the priorities the critical calendar serves
    description: str


# --- Service levels -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLevelView:
    channel: str
    code: str
    name: str
    kind: str
    definition: str
    target: str
    per_priority: list[tuple[str, str]] = field(default_factory=list)
    time_basis: str = ""
    period: str = ""
    credit_bearing: bool = True
    notes: list[str] = field(default_factory=list)


def _metric_words(metric: Metric) -> tuple[str, str, list[str]]:
    """(definition, target, notes) for a metric, in words."""
    notes: list[str] = []
    if isinstance(metric, ServiceLevelMetric):
        definition = f"{metric.variant}: {label(SL_VARIANTS, metric.variant)}"
        if metric.short_abandon_seconds is not None:
            notes.append(
                gettext("Short abandons: under %(s)s")
                % {"s": duration(metric.short_abandon_seconds)}
            )
        target = gettext("≥ %(p)s answered within %(t)s") % {
            "p": percent(metric.target_percent),
            "t": duration(metric.threshold_seconds),
        }
    elif isinstance(metric, AbandonRateMetric):
        definition = (
            gettext("abandoned ÷ queued")
            if metric.variant == "queued"
            else gettext("abandoned ÷ (answered + abandoned)")
        )
        if metric.short_abandon_seconds:
            notes.append(
                gettext("Abandons under %(s)s are not counted")
                % {"s": duration(metric.short_abandon_seconds)}
            )
        target = gettext("≤ %(p)s") % {"p": percent(metric.max_percent)}
    elif isinstance(metric, AsaMetric):
        definition = gettext("average queue wait of answered contacts")
        target = gettext("≤ %(t)s") % {"t": duration(metric.max_seconds)}
    elif isinstance(metric, AhtMetric):
        parts = [gettext("talk")]
        if metric.includes_hold:
            parts.append(gettext("hold"))
        if metric.includes_acw:
            parts.append(gettext("after-call work"))
        definition = gettext("(%(parts)s) ÷ handled contacts") % {"parts": " + ".join(parts)}
        target = gettext("≤ %(t)s") % {"t": duration(metric.max_seconds)}
    elif isinstance(metric, FcrMetric):
        if metric.method == "repeat_contact":
            definition = gettext("resolved with no repeat contact within %(d)s") % {
                "d": days(metric.window_days or 0)
            }
        elif metric.method == "disposition":
            definition = gettext("resolved at first contact, by the agent's disposition")
        else:
            definition = gettext("resolved at first contact, as the customer answers in a survey")
        target = gettext("≥ %(p)s") % {"p": percent(metric.target_percent)}
    elif isinstance(metric, ClockMetric):
        definition = label(CLOCK_DEFINITIONS, metric.kind)
        target = gettext("≥ %(p)s of cases within target") % {"p": percent(metric.target_percent)}
        if metric.pause_statuses:
            notes.append(gettext("Paused while: %(s)s") % {"s": ", ".join(metric.pause_statuses)})
        if metric.kind == "resolution" or metric.reopen_policy != "resume":
            notes.append(
                gettext("On reopening: resumes")
                if metric.reopen_policy == "resume"
                else gettext("On reopening: a new cycle starts")
            )
        for warning in metric.warnings:
            if warning.before_seconds is not None:
                notes.append(
                    gettext("Warning %(t)s before breach") % {"t": duration(warning.before_seconds)}
                )
            elif warning.at_percent is not None:
                notes.append(
                    gettext("Warning at %(p)s of target") % {"p": percent(warning.at_percent)}
                )
    elif isinstance(metric, CsatMetric):
        if metric.method == "top2box":
            definition = gettext("share of 4 and 5 answers on a 1–5 scale")
            target = gettext("≥ %(p)s") % {"p": percent(metric.target)}
        else:
            definition = gettext("mean score on a 1–5 scale")
            target = gettext("≥ %(v)s") % {"v": plain(metric.target)}
    else:
        assert isinstance(metric, NpsMetric)  # noqa: S101 - the union is exhaustive
        definition = gettext("share of promoters (9–10) minus share of detractors (0–6)")
        target = gettext("≥ %(v)s") % {"v": plain(metric.target)}
    if metric.minimum_volume:
        notes.append(
            gettext("Measured only with at least %(n)s contacts") % {"n": metric.minimum_volume}
        )
    if metric.applies_to_priorities:
        notes.append(gettext("Priorities: %(p)s") % {"p": ", ".join(metric.applies_to_priorities)})
    return definition, target, notes


def service_level_view(channel: str, name: str, metric: Metric) -> ServiceLevelView:
    definition, target, notes = _metric_words(metric)
    per_priority: list[tuple[str, str]] = []
    time_basis = ""
    if isinstance(metric, ClockMetric):
        time_basis = label(TIME_BASIS, metric.time_basis)
        if metric.target_seconds is not None:
            per_priority = [(p, duration(s)) for p, s in metric.target_seconds.items()]
        else:
            per_priority = [
                (
                    p,
                    gettext("%(n)s business days") % {"n": n}
                    if n != 1
                    else gettext("1 business day"),
                )
                for p, n in (metric.target_business_days or {}).items()
            ]
    return ServiceLevelView(
        channel=label(CHANNELS, channel),
        code=f"{channel}.{name}",
        name=metric.description or name,
        kind=label(METRIC_KINDS, metric.kind),
        definition=definition,
        target=target,
        per_priority=per_priority,
        time_basis=time_basis,
        period=label(PERIODS, metric.measurement_period),
        credit_bearing=metric.critical,
        notes=notes,
    )

"""The supervisor wallboard of one client: calls waiting now and the longest wait (live calls in
progress, not answered), agents available (each agent's latest presence change), today's phone
service level and abandoned calls (rollups of the client's local day), and SLA clocks at risk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, Window
from django.db.models.functions import RowNumber

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.cases.models import SlaClock
from pactline.cases.presentation import clock_label, priority_label
from pactline.cases.selectors import clocks_at_risk
from pactline.channels.voice.models import AgentState, AgentStateChange, Call, Direction, Outcome
from pactline.core.agreement.service_levels import ServiceLevelMetric
from pactline.core.kpi import verdict
from pactline.metrics.dashboards.figures import ResultRow, clock_text, live_row
from pactline.metrics.dashboards.local_time import Stamp, stamp, today_window
from pactline.metrics.selectors import Filter, Measured, measured_by_priority, merged
from pactline.metrics.service_levels import metric_result_of
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

# A call "waiting" for longer than this has lost its end event; it is not a caller on hold.
WAITING_HORIZON = timedelta(hours=4)
# Agents whose last state change is older than this are not counted (a logout that never came).
AGENT_LOOKBACK = timedelta(hours=24)
AT_RISK_WITHIN = timedelta(hours=4)
AT_RISK_SHOWN = 5

_AVAILABLE = {AgentState.LOGIN, AgentState.UNPAUSE, AgentState.UNPAUSE_ALL, AgentState.MEMBER_ADDED}
_PAUSED = {AgentState.PAUSE, AgentState.PAUSE_ALL}
_PRESENCE = _AVAILABLE | _PAUSED | {AgentState.LOGOUT, AgentState.MEMBER_REMOVED}


@dataclass(frozen=True)
class QueueWait:
    queue: str
    waiting: int
    longest_seconds: int


@dataclass(frozen=True)
class Waiting:
    calls: int
    longest_seconds: int | None
    queues: tuple[QueueWait, ...]

    @property
    def longest_text(self) -> str:
        return clock_text(self.longest_seconds) if self.longest_seconds is not None else "—"


def calls_waiting(client: Client, now: datetime) -> Waiting:
    """Inbound calls in progress and not answered that entered within `WAITING_HORIZON`."""
    grouped = (
        Call.objects.filter(
            client=client,
            outcome=Outcome.IN_PROGRESS,
            direction=Direction.INBOUND,
            answered_at__isnull=True,
            entered_at__gt=now - WAITING_HORIZON,
            entered_at__lte=now,
        )
        .values("queue")
        .annotate(oldest=Min("entered_at"), waiting=Count("id"))
        .order_by("queue")
    )
    queues = tuple(
        QueueWait(row["queue"], row["waiting"], _seconds(now - row["oldest"])) for row in grouped
    )
    calls = sum(queue.waiting for queue in queues)
    longest = max((queue.longest_seconds for queue in queues), default=None)
    return Waiting(calls, longest, queues)


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


@dataclass(frozen=True)
class Agents:
    available: int
    paused: int

    @property
    def logged_in(self) -> int:
        return self.available + self.paused


def agents_now(client: Client, now: datetime) -> Agents:
    """Each agent's latest presence change (login, logout, pause, unpause, queue membership)
    within `AGENT_LOOKBACK`: available when it is a login, unpause or queue join; paused when
    it is a pause."""
    latest = (
        AgentStateChange.objects.filter(
            client=client,
            state__in=_PRESENCE,
            at__gt=now - AGENT_LOOKBACK,
            at__lte=now,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("agent")],
                order_by=[F("at").desc(), F("change_seq").desc()],
            )
        )
        .filter(rank=1)
        .values_list("state", flat=True)
    )
    states = list(latest)
    return Agents(
        available=sum(1 for state in states if state in _AVAILABLE),
        paused=sum(1 for state in states if state in _PAUSED),
    )


@dataclass(frozen=True)
class LevelNow:
    """The phone service level of the client's local day so far, against its target. The
    colour compares the value with the target alone: the minimum-volume rule belongs to the
    measurement period, not to one day."""

    row: ResultRow
    on_target: bool | None
    threshold_seconds: int
    offered: int
    answered: int


def phone_service_level(version_document: Any) -> tuple[str, ServiceLevelMetric] | None:
    for name, metric in (version_document.service_levels.get("phone") or {}).items():
        if isinstance(metric, ServiceLevelMetric):
            return name, metric
    return None


def service_level_today(
    version: AgreementVersion | None, by_priority: Mapping[str, Measured]
) -> LevelNow | None:
    """Today's phone service level from today's phone measures per priority."""
    if version is None:
        return None
    found = phone_service_level(version.terms)
    if found is None:
        return None
    name, metric = found
    priorities = metric.applies_to_priorities
    measured = merged(
        part for code, part in by_priority.items() if priorities is None or code in priorities
    )
    result = metric_result_of("phone", name, metric, measured)
    judged = verdict(metric.model_copy(update={"minimum_volume": 0}), result.value, result.volume)
    return LevelNow(
        row=live_row(result),
        on_target=None if judged == "not_measured" else judged == "met",
        threshold_seconds=metric.threshold_seconds,
        offered=measured.measures.offered,
        answered=measured.measures.answered,
    )


@dataclass(frozen=True)
class ClockRow:
    case_id: int
    subject: str
    label: str
    priority: str
    priority_code: str
    due: Stamp | None
    overdue: bool
    minutes_left: int | None


@dataclass(frozen=True)
class AtRisk:
    count: int
    overdue: int
    top: tuple[ClockRow, ...]
    within_hours: int


def clocks_at_risk_for(actor: Actor, client: Client, zone: ZoneInfo, now: datetime) -> AtRisk:
    clocks = clocks_at_risk(actor=actor, within=AT_RISK_WITHIN, now=now).filter(client=client)
    overdue_q = Q(due_at__lte=now) | Q(due_at__isnull=True)
    counted = clocks.order_by().aggregate(count=Count("id"), overdue=Count("id", filter=overdue_q))
    count, overdue = counted["count"], counted["overdue"]
    top: list[ClockRow] = []
    clock: SlaClock
    for clock in clocks[:AT_RISK_SHOWN]:
        due = clock.due_at
        code = clock.priority or clock.case.priority
        top.append(
            ClockRow(
                case_id=clock.case_id,
                subject=clock.case.subject,
                label=clock_label(clock.key),
                priority=priority_label(code),
                priority_code=code,
                due=stamp(due, zone) if due else None,
                overdue=due is None or due <= now,
                minutes_left=None if due is None else int((due - now).total_seconds() // 60),
            )
        )
    return AtRisk(count, overdue, tuple(top), int(AT_RISK_WITHIN.total_seconds() // 3600))


@dataclass(frozen=True)
class Wallboard:
    client: Client
    zone: ZoneInfo
    as_of: Stamp
    today: date
    waiting: Waiting
    agents: Agents
    level: LevelNow | None
    offered_today: int
    answered_today: int
    abandoned_today: int
    at_risk: AtRisk


def wallboard(*, actor: Actor, client: Client, now: datetime) -> Wallboard:
    """The live figures of one client. The caller has checked `access_wallboard`.

    Polled every 5 s by every supervisor watching: today's figures are one read of the
    day's total rollup rows per priority (at most 96 intervals each), not the contacts."""
    version = agreement_version_in_force(client, now)
    zone = ZoneInfo(version.home_timezone) if version is not None else client_zone(client, now)
    window = today_window(zone, now)
    by_priority = measured_by_priority(
        client.id, window.start, window.end, Filter(channels=("phone",)), with_clocks=False
    )
    phone = merged(by_priority.values())
    return Wallboard(
        client=client,
        zone=zone,
        as_of=stamp(now, zone, seconds=True),
        today=window.first,
        waiting=calls_waiting(client, now),
        agents=agents_now(client, now),
        level=service_level_today(version, by_priority),
        offered_today=phone.measures.offered,
        answered_today=phone.measures.answered,
        abandoned_today=phone.measures.abandoned,
        at_risk=clocks_at_risk_for(actor, client, zone, now),
    )

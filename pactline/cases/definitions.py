"""The clocks a case runs, read from the agreement version it is pinned to.

A clock is `<channel>.<metric>` for each clock metric (first response, next response,
periodic update, resolution) the agreement sets for the case's channel. Its calendar is the
channel's, or the channel's critical calendar for the priorities the agreement says it serves. The warnings of the service
level and the escalation levels that trigger before a breach (a business-time offset or a share
of the target) become the engine's warnings; levels that trigger after a breach are scheduled
from the breach."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.terms import (
    agreement_calendar,
    calendar_by_key,
    calendar_name_for,
    terms_by_key,
)
from pactline.cases.models import OperationalLevel
from pactline.core.agreement.operations import EscalationLevel, Ladder
from pactline.core.agreement.service_levels import ClockMetric
from pactline.core.sla import ClockDefinition, ClockWarning

executes(
    "channels.*.calendar",
    "channels.*.critical_calendar",
    "channels.*.critical_calendar_priorities",
    "service_levels.*.*.target_seconds",
    "service_levels.*.*.target_business_days",
    "service_levels.*.*.time_basis",
    "service_levels.*.*.pause_statuses",
    "service_levels.*.*.reopen_policy",
    "service_levels.*.*.warnings",
    "escalation.ladders.*.applies_to",
    "escalation.ladders.*.levels.*.level",
    "escalation.ladders.*.levels.*.trigger",
)

# Escalation levels are stored as SlaEvent levels `ladder number × 100 + level` (101, 102, 201…).
LADDER_STRIDE = 100


@dataclass(frozen=True)
class EscalationPoint:
    """An escalation level watching one clock."""

    ladder_index: int
    ladder: Ladder
    level: EscalationLevel

    @property
    def code(self) -> int:
        return (self.ladder_index + 1) * LADDER_STRIDE + self.level.level


@dataclass(frozen=True)
class CaseClock:
    """A clock definition plus what the product needs around it."""

    definition: ClockDefinition
    calendar_name: str
    sla_warnings: int  # the engine's warnings 1..n are the service level's own
    before_breach: tuple[EscalationPoint, ...]  # engine warnings n+1.. in this order
    after_breach: tuple[EscalationPoint, ...]

    def event_of(self, engine_level: int) -> tuple[str, int]:
        """(SlaEvent kind, level) for an engine warning level."""
        if engine_level <= self.sla_warnings:
            return "warning", engine_level
        return "escalation", self.before_breach[engine_level - self.sla_warnings - 1].code


def _applies(ladder: Ladder, channel: str, priority: str, metric_name: str) -> bool:
    scope = ladder.applies_to
    return (
        (not scope.channels or channel in scope.channels)
        and (not scope.priorities or priority in scope.priorities)
        and (not scope.metrics or metric_name in scope.metrics)
    )


def case_clocks(version: AgreementVersion, channel: str, priority: str) -> list[CaseClock]:
    """The clocks of a case on `channel` at `priority` under `version` (cached per version)."""
    return list(_case_clocks(version.pk, version.content_hash, channel, priority))


def _at_or_after_breach(point: EscalationPoint) -> bool:
    trigger = point.level.trigger
    return trigger.after_breach_seconds is not None or trigger.at_percent == 100


def after_breach_seconds(point: EscalationPoint) -> float:
    return float(point.level.trigger.after_breach_seconds or 0)


@lru_cache(maxsize=2048)
def _case_clocks(
    version_id: int, content_hash: str, channel: str, priority: str
) -> tuple[CaseClock, ...]:
    document = terms_by_key(version_id, content_hash)
    calendar_name = calendar_name_for(document, channel, priority)
    metrics = document.service_levels.get(channel, {})  # type: ignore[call-overload]
    if calendar_name is None or not metrics:
        return ()
    calendar = calendar_by_key(version_id, content_hash, calendar_name)
    clocks = []
    for name, metric in metrics.items():
        if not isinstance(metric, ClockMetric):
            continue
        base = ClockDefinition.from_metric(f"{channel}.{name}", metric, calendar)
        points = [
            EscalationPoint(index, ladder, level)
            for index, ladder in enumerate(document.escalation.ladders)
            if _applies(ladder, channel, priority, name)
            for level in ladder.levels
        ]
        before = tuple(p for p in points if not _at_or_after_breach(p))
        after = tuple(p for p in points if _at_or_after_breach(p))
        extra = tuple(
            ClockWarning(before_seconds=float(p.level.trigger.before_breach_seconds))
            if p.level.trigger.before_breach_seconds is not None
            else ClockWarning(fraction=float(p.level.trigger.at_percent or 0) / 100)
            for p in before
        )
        definition = replace(base, warnings=(*base.warnings, *extra))
        clocks.append(CaseClock(definition, calendar_name, len(base.warnings), before, after))
    return tuple(clocks)


def operational_clocks(
    version: AgreementVersion, levels: Iterable[OperationalLevel], priority: str
) -> list[CaseClock]:
    """Internal OLA clocks (`ola.<name>`) on the channel's calendar; no escalation ladders."""
    clocks = []
    document = version.terms
    for level in levels:
        calendar_name = calendar_name_for(document, level.channel, priority)
        if calendar_name is None:
            continue
        definition = ClockDefinition(
            key=f"ola.{level.name}",
            metric=level.metric,  # type: ignore[arg-type]  # a ClockMetric choice
            targets={str(p): float(seconds) for p, seconds in level.targets.items()},
            calendar=agreement_calendar(version, calendar_name),
            pause_statuses=frozenset(str(status) for status in level.pause_statuses),
        )
        clocks.append(CaseClock(definition, calendar_name, 0, (), ()))
    return clocks

"""What a report says, as data: the stored, hashed content every format is rendered from.

The content holds numbers, stable codes and the KPI definitions as English templates with
their parameters, never translated words: the renderers translate into the report's language,
so the same figures give the same hash whatever the language, and a stored report can be shown
again exactly as it was generated. Decimals are kept unrounded (JSON strings)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pactline.core.kpi import KpiValue

CONTENT_SCHEMA = 1


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Kpi(Model):
    """A KPI value with its ratio and its definition (an ``N_``-marked English template)."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unit: str
    definition: str
    params: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, value: KpiValue) -> Kpi:
        return cls(
            value=value.value,
            numerator=value.numerator,
            denominator=value.denominator,
            unit=value.unit,
            definition=value.definition,
            params=dict(value.params),
        )


# --- Volume ---------------------------------------------------------------------------------


class VolumeRow(Model):
    """``answered`` is calls answered on the phone and first responses on other channels."""

    channel: str
    offered: int
    answered: int
    abandoned: int
    callbacks: int
    handled: int


class VolumePoint(Model):
    at: datetime  # start of the bucket (UTC)
    offered: int
    answered: int
    abandoned: int


class Volume(Model):
    rows: list[VolumeRow]
    total: VolumeRow
    bucket: str  # "interval" (15 minutes) or "day"
    series: list[VolumePoint]


# --- Response times and resolution ----------------------------------------------------------


class ResponseTimesRow(Model):
    channel: str
    first_response_business: Kpi
    first_response_calendar: Kpi
    first_response_within: Kpi
    resolution_business: Kpi
    resolution_calendar: Kpi
    resolution_within: Kpi


class ResolutionRow(Model):
    channel: str
    opened: int
    resolved: int
    rate: Kpi


class Resolution(Model):
    rows: list[ResolutionRow]
    total: ResolutionRow


# --- Service levels -------------------------------------------------------------------------


class LevelResult(Model):
    channel: str
    name: str
    metric: dict[str, Any]  # the agreement's metric as written (kind, variant, target, ...)
    value: Kpi
    volume: int
    verdict: str  # met / missed / not_measured
    pending: int = 0  # clock cycles within target at the end of the part, not counted yet


class LevelSegment(Model):
    """A part of the period under one agreement version."""

    agreement: str
    version: int
    start: datetime
    end: datetime
    results: list[LevelResult]


class TrendPoint(Model):
    at: datetime  # start of the bucket (UTC)
    value: Decimal | None


class LevelTrend(Model):
    channel: str
    name: str
    kind: str
    description: str | None  # the agreement's own words for the metric
    target: Decimal
    points: list[TrendPoint]


class ServiceLevels(Model):
    segments: list[LevelSegment]
    trends: list[LevelTrend]


# --- Queue and handling KPIs per channel ----------------------------------------------------


class AbandonRow(Model):
    channel: str
    rate: Kpi
    average_abandon_time: Kpi


class AhtRow(Model):
    channel: str
    aht: Kpi
    talk: Kpi
    hold: Kpi
    acw: Kpi
    asa: Kpi


class Aht(Model):
    rows: list[AhtRow]
    trend: list[TrendPoint]


class FcrRow(Model):
    channel: str
    fcr: Kpi


class CsatRow(Model):
    channel: str
    top2box: Kpi
    mean: Kpi


class Csat(Model):
    rows: list[CsatRow]
    trend: list[TrendPoint]


class NpsRow(Model):
    channel: str
    nps: Kpi


# --- Cases ----------------------------------------------------------------------------------


class EscalationLevelCount(Model):
    level: int
    count: int


class Escalations(Model):
    warnings: int
    breaches: int
    escalations: int
    cases: int  # cases with at least one breach or escalation
    levels: list[EscalationLevelCount]


class IssueRow(Model):
    code: str
    count: int
    previous: int
    samples: list[int]  # case ids, oldest first


class CommonIssues(Model):
    cases: int
    previous_cases: int
    categories: list[IssueRow]
    tags: list[IssueRow]


class BacklogRow(Model):
    channel: str
    open: int
    opened_before_period: int  # of those, opened before the period started


class Backlog(Model):
    rows: list[BacklogRow]
    total: int


# --- The report -----------------------------------------------------------------------------


class ReportContent(Model):
    schema_version: int = CONTENT_SCHEMA
    client_code: str
    client_name: str
    report_name: str
    frequency: str
    language: str  # the agreement's language code: "en" or "zh-Hans"
    timezone: str
    period_start: date  # first local day
    period_end: date  # last local day
    previous_start: date
    previous_end: date
    start: datetime  # [start, end) in UTC
    end: datetime
    agreement: str
    versions: list[int]
    contents: list[str]  # as the agreement lists them
    channels: list[str]  # the channels reported on (the report's, else all the agreement's)
    volume: Volume | None = None
    response_times: list[ResponseTimesRow] | None = None
    resolution_rate: Resolution | None = None
    service_levels: ServiceLevels | None = None
    abandon_rate: list[AbandonRow] | None = None
    aht: Aht | None = None
    fcr: list[FcrRow] | None = None
    csat: Csat | None = None
    nps: list[NpsRow] | None = None
    escalations: Escalations | None = None
    common_issues: CommonIssues | None = None
    backlog: Backlog | None = None
    unavailable: list[str] = Field(default_factory=list)  # contents not measured yet

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal content, equal digest."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()

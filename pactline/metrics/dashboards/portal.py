"""The client's portal dashboard: today and this month to date, every service level of the
agreement against its target with its definition (split where an amendment took effect),
volumes per channel, the phone queue hour by hour, and the latest statements. The latest
reports are the reports app's fragment, which the portal template loads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pactline.agreements.presentation.labels import CHANNELS, label
from pactline.agreements.selectors import agreement_version_in_force
from pactline.core.kpi import Measures, total
from pactline.metrics.dashboards.figures import VERDICTS, ResultRow, live_row, shown_value
from pactline.metrics.dashboards.local_time import (
    LocalPeriod,
    Stamp,
    local_hours,
    month_to_date_window,
    stamp,
    today_window,
)
from pactline.metrics.dashboards.wallboard import phone_service_level
from pactline.metrics.models import Statement
from pactline.metrics.selectors import Filter, measured_by_dimension, measured_by_interval
from pactline.metrics.service_levels import measured_value, service_levels_measured
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

LATEST_STATEMENTS = 5


@dataclass(frozen=True)
class SegmentView:
    version_number: int
    version_id: int
    start: Stamp
    end: Stamp
    rows: tuple[ResultRow, ...]


@dataclass(frozen=True)
class PeriodView:
    first: date
    last: date
    segments: tuple[SegmentView, ...]

    @property
    def split(self) -> bool:
        return len(self.segments) > 1

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for segment in self.segments:
            for row in segment.rows:
                counts[row.verdict] = counts.get(row.verdict, 0) + 1
        return counts


def period_view(client: Client, window: LocalPeriod) -> PeriodView:
    """Every service level of the agreement over the window, per part under one version."""
    segments = tuple(
        SegmentView(
            version_number=segment.version.number,
            version_id=segment.version.pk,
            start=stamp(segment.start, window.zone),
            end=stamp(segment.end, window.zone),
            rows=tuple(live_row(result) for result in segment.results),
        )
        for segment in service_levels_measured(client, window.start, window.end)
    )
    return PeriodView(window.first, window.last, segments)


@dataclass(frozen=True)
class ChannelVolume:
    channel_code: str
    channel: str
    offered: int
    answered: int  # calls answered on the phone, first responses elsewhere
    abandoned: int
    handled: int
    resolved: int


def _volume(channel: str, m: Measures) -> ChannelVolume:
    answered = m.answered if channel == "phone" else m.first_responses
    return ChannelVolume(
        channel,
        label(CHANNELS, channel),
        m.offered,
        answered,
        m.abandoned,
        m.handled,
        m.resolutions,
    )


def channel_volumes(client: Client, window: LocalPeriod) -> list[ChannelVolume]:
    by_channel = measured_by_dimension(client.id, window.start, window.end, "channel")
    return [_volume(channel, measured.measures) for channel, measured in by_channel.items()]


@dataclass(frozen=True)
class HourRow:
    label: str
    offered: int
    answered: int
    abandoned: int
    service_level: str


def hours_today(client: Client, window: LocalPeriod, now: datetime) -> list[HourRow]:
    """The phone queue hour by hour over the local day, up to the current hour."""
    version = agreement_version_in_force(client, now)
    found = phone_service_level(version.terms) if version is not None else None
    where = Filter(channels=("phone",))
    if found is not None:
        where = Filter(channels=("phone",), priorities=found[1].applies_to_priorities)
    by_interval = measured_by_interval(client.id, window.start, window.end, where)
    rows = []
    for hour in local_hours(window.first, window.zone):
        if hour.start > now:
            break
        measures = total(by_interval[at].measures for at in hour.intervals if at in by_interval)
        level = "—"
        if found is not None:
            value = measured_value(found[1], measures)
            level = shown_value(value.value, value.unit)
        rows.append(
            HourRow(hour.label, measures.offered, measures.answered, measures.abandoned, level)
        )
    return rows


@dataclass(frozen=True)
class ClientDashboard:
    client: Client
    zone: ZoneInfo
    zone_label: str
    as_of: Stamp
    today: PeriodView
    month: PeriodView
    volumes_today: list[ChannelVolume]
    volumes_month: list[ChannelVolume]
    hours: list[HourRow]
    statements: list[Statement]


def latest_statements(client: Client, limit: int = LATEST_STATEMENTS) -> list[Statement]:
    """The current revision of the newest statements (a reissued one shows its replacement)."""
    return list(
        Statement.objects.filter(client=client, superseded_by__isnull=True).order_by(
            "-period_start", "frequency"
        )[:limit]
    )


def client_dashboard(*, actor: Actor, client: Client, now: datetime) -> ClientDashboard:
    """The client's portal figures. The caller has checked `access_dashboard`."""
    zone = client_zone(client, now)
    today = today_window(zone, now)
    month = month_to_date_window(zone, now)
    as_of = stamp(now, zone)
    return ClientDashboard(
        client=client,
        zone=zone,
        zone_label=f"{zone.key} ({as_of.zone})",
        as_of=as_of,
        today=period_view(client, today),
        month=period_view(client, month),
        volumes_today=channel_volumes(client, today),
        volumes_month=channel_volumes(client, month),
        hours=hours_today(client, today, now),
        statements=latest_statements(client),
    )

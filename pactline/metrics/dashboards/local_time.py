"""Local days and hours of the client's zone as unions of the rollups' 15-minute UTC intervals
(every zone's offset is a multiple of 15 minutes): a New York day is 92, 96 or 100 intervals
long across DST changes, and Kathmandu's day starts at 18:15 UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pactline.metrics.intervals import INTERVAL, local_day_bounds, local_midnight


@dataclass(frozen=True)
class Stamp:
    """An instant as read in the client's zone."""

    iso: str
    text: str  # "2026-03-02 17:00"
    zone: str  # abbreviation or offset: "EST", "+0545"
    zone_key: str  # "America/New_York"


def stamp(value: datetime, zone: ZoneInfo, *, seconds: bool = False) -> Stamp:
    local = value.astimezone(zone)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return Stamp(
        value.astimezone(UTC).isoformat(),
        local.strftime(pattern),
        local.strftime("%Z") or zone.key,
        zone.key,
    )


@dataclass(frozen=True)
class LocalPeriod:
    """The local days `first`..`last` of a zone, as the UTC instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def local_today(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()


def day_window(day: date, zone: ZoneInfo) -> LocalPeriod:
    start, end = local_day_bounds(day, zone)
    return LocalPeriod(day, day, start, end, zone)


def today_window(zone: ZoneInfo, now: datetime) -> LocalPeriod:
    return day_window(local_today(zone, now), zone)


def month_to_date_window(zone: ZoneInfo, now: datetime) -> LocalPeriod:
    today = local_today(zone, now)
    first = today.replace(day=1)
    return LocalPeriod(
        first,
        today,
        local_midnight(first, zone),
        local_midnight(today + timedelta(days=1), zone),
        zone,
    )


def day_intervals(day: date, zone: ZoneInfo) -> list[datetime]:
    """The starts of the 15-minute UTC intervals that make up a local day."""
    start, end = local_day_bounds(day, zone)
    count = int((end - start) / INTERVAL)
    return [start + INTERVAL * index for index in range(count)]


@dataclass(frozen=True)
class LocalHour:
    """One hour of local wall time; on the day clocks go back, 01:00 happens twice and each
    is its own hour (told apart by the zone's abbreviation)."""

    label: str  # "01:00 EDT"
    start: datetime
    intervals: tuple[datetime, ...]


def local_hours(day: date, zone: ZoneInfo) -> list[LocalHour]:
    groups: dict[tuple[int, timedelta | None], list[datetime]] = {}
    for start in day_intervals(day, zone):
        local = start.astimezone(zone)
        groups.setdefault((local.hour, local.utcoffset()), []).append(start)
    hours = []
    for intervals in groups.values():
        local = intervals[0].astimezone(zone)
        hours.append(
            LocalHour(f"{local.hour:02d}:00 {local.strftime('%Z')}", intervals[0], tuple(intervals))
        )
    return hours

"""Service-hours calendars: time zone, weekly intervals, public holidays, date overrides.

An interval ``"HH:MM-HH:MM"`` is local wall time. An end not after its start ends on the next
day (``"22:00-06:00"``); ``"24:00"`` may only end an interval. Parsed intervals count minutes
from the local midnight of their day, so an overnight interval ends after minute 1440.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from pactline.core.agreement.base import CountryCode, Model, Text, Unique, tag
from pactline.core.agreement.errors import Issue, Path, custom_error, fail

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
ALWAYS = "24/7"

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_INTERVAL = re.compile(r"\s*([0-9]{2}):([0-9]{2})\s*-\s*([0-9]{2}):([0-9]{2})\s*")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """A working interval in minutes from local midnight: ``0 <= start < end <= start + 1440``."""

    start: int
    end: int

    PATTERN: ClassVar[str] = r"^\s*[0-9]{2}:[0-9]{2}\s*-\s*[0-9]{2}:[0-9]{2}\s*$"

    @property
    def overnight(self) -> bool:
        return self.end > MINUTES_PER_DAY

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        end = self.end - MINUTES_PER_DAY if self.overnight else self.end
        return f"{_hhmm(self.start)}-{_hhmm(end)}"

    @classmethod
    def parse(cls, value: object) -> Interval:
        """Parse ``"HH:MM-HH:MM"``; raises a pydantic error with one of the interval codes."""
        if isinstance(value, Interval):
            return value
        text = value if isinstance(value, str) else repr(value)
        match = _INTERVAL.fullmatch(text) if isinstance(value, str) else None
        if match is None:
            fail("interval_format", value=text)
        sh, sm, eh, em = (int(part) for part in match.groups())
        shown = text.strip()
        if sh > 24 or eh > 24:
            fail("interval_hour", value=shown)
        if sm > 59 or em > 59:
            fail("interval_minute", value=shown)
        if sh == 24 or (eh == 24 and em != 0):
            fail("interval_24", value=shown)
        start, end = sh * 60 + sm, eh * 60 + em
        if start == end:
            fail("interval_empty", value=shown)
        if end < start:
            end += MINUTES_PER_DAY
        return cls(start, end)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": cls.PATTERN,
            "examples": ["09:00-18:00", "22:00-06:00"],
        }


DayIntervals = tuple[Interval, ...]
WeeklyHours = dict[Weekday, DayIntervals]


def _hours_tag(value: Any) -> str:
    return tag("always") if isinstance(value, str) else tag("weekly")


def _check_hours(value: Any) -> Any:
    if (isinstance(value, str) and value.strip() == ALWAYS) or isinstance(value, dict):
        return value.strip() if isinstance(value, str) else value
    raise custom_error("hours")


Hours = Annotated[
    Annotated[Literal["24/7"], Tag(tag("always"))] | Annotated[WeeklyHours, Tag(tag("weekly"))],
    Discriminator(_hours_tag),
    BeforeValidator(_check_hours),
]


def _check_timezone(value: str) -> str:
    try:
        if not value or value.startswith(("/", ".")) or "\x00" in value:
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise custom_error("timezone", value=value) from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]


@cache
def _supported_countries() -> dict[str, list[str]]:
    # The holidays package is pure data; imported lazily because it is slow to import.
    import holidays

    return holidays.list_supported_countries(include_aliases=False)


def _check_holiday_country(value: str) -> str:
    if value not in _supported_countries():
        raise custom_error("holiday_country", value=value)
    return value


class HolidaySpec(Model):
    """Public holidays of a country (and subdivision), plus extra closed dates."""

    country: Annotated[CountryCode, AfterValidator(_check_holiday_country)]
    subdivision: Text | None = None
    dates: Annotated[tuple[date, ...], Unique] = ()

    def _issues(self) -> Iterator[Issue]:
        known = _supported_countries().get(self.country, [])
        if self.subdivision is not None and self.subdivision not in known:
            choices = ", ".join(known) or "-"
            yield Issue(
                ("subdivision",),
                "subdivision",
                {"value": self.subdivision, "country": self.country, "choices": choices},
            )


Placed = tuple[Path, int, int, Interval]


def _overlaps(items: Sequence[Placed], wrap: int | None) -> Iterator[Issue]:
    """Overlaps among ``(path, start, end, interval)``; ``wrap`` (the cycle length) closes a week."""
    ordered = sorted(items, key=lambda item: (item[1], item[2]))
    reach: tuple[int, Interval] | None = None
    for path, start, end, interval in ordered:
        if reach is not None and start < reach[0]:
            yield Issue(path, "interval_overlap", {"value": str(interval), "other": str(reach[1])})
        if reach is None or end > reach[0]:
            reach = (end, interval)
    if wrap is not None and reach is not None and len(ordered) > 1:
        spill, last = reach[0] - wrap, reach[1]
        for path, start, _, interval in ordered:
            if start < spill and interval is not last:
                yield Issue(path, "interval_overlap", {"value": str(interval), "other": str(last)})


class CalendarSpec(Model):
    """When a channel (or a report, a surcharge) counts as open, in local time."""

    description: Text | None = None
    timezone: TimeZoneName
    hours: Hours
    holidays: HolidaySpec | None = None
    overrides: dict[date, DayIntervals] = Field(default_factory=dict)

    def _issues(self) -> Iterator[Issue]:
        if isinstance(self.hours, dict):
            items: list[Placed] = []
            for day, intervals in self.hours.items():
                offset = WEEKDAYS.index(day) * MINUTES_PER_DAY
                items.extend(
                    (("hours", day, index), offset + iv.start, offset + iv.end, iv)
                    for index, iv in enumerate(intervals)
                )
            if not items:
                yield Issue(("hours",), "never_open", {})
            yield from _overlaps(items, MINUTES_PER_WEEK)
        for when, listed in self.overrides.items():
            placed: list[Placed] = [
                (("overrides", when.isoformat(), i), iv.start, iv.end, iv)
                for i, iv in enumerate(listed)
            ]
            yield from _overlaps(placed, None)

    # --- Accessors for the calendar and SLA engines --------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def always_open(self) -> bool:
        return self.hours == ALWAYS

    def weekly_intervals(self) -> dict[int, list[tuple[int, int]]]:
        """Weekday (0 = Monday) -> sorted ``(start, end)`` minutes; ``end`` > 1440 runs overnight."""
        if not isinstance(self.hours, dict):
            return {day: [(0, MINUTES_PER_DAY)] for day in range(7)}
        week: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
        for name, intervals in self.hours.items():
            week[WEEKDAYS.index(name)] = sorted((iv.start, iv.end) for iv in intervals)
        return week

    def override_intervals(self) -> dict[date, list[tuple[int, int]]]:
        """Date -> its own sorted intervals, replacing the weekday's (``[]`` = closed)."""
        return {
            day: sorted((iv.start, iv.end) for iv in ivs)
            for day, ivs in sorted(self.overrides.items())
        }

    def closed_dates(self) -> frozenset[date]:
        """Extra closed dates named in the agreement (besides public holidays)."""
        return frozenset(self.holidays.dates) if self.holidays else frozenset()

    def public_holidays(self, years: Iterable[int]) -> dict[date, str]:
        """Public holidays of the calendar's country for ``years``, plus the extra dates."""
        if self.holidays is None:
            return {}
        import holidays

        wanted = sorted(set(years))
        found = holidays.country_holidays(
            self.holidays.country, subdiv=self.holidays.subdivision, years=wanted
        )
        result = {day: str(name) for day, name in found.items()}
        for extra in self.holidays.dates:
            if extra.year in wanted:
                result.setdefault(extra, "closed")
        return dict(sorted(result.items()))

    def make_up_workdays(self, years: Iterable[int]) -> frozenset[date]:
        """Weekend dates the holidays data declares as working days (e.g. China's 调休)."""
        if self.holidays is None:
            return frozenset()
        import holidays

        wanted = set(years)
        found = holidays.country_holidays(
            self.holidays.country, subdiv=self.holidays.subdivision, years=sorted(wanted)
        )
        workdays: Iterable[date] = getattr(found, "weekend_workdays", ())
        return frozenset(
            day for day in workdays if day.year in wanted and day not in self.closed_dates()
        )

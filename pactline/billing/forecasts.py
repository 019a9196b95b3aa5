"""The client's volume forecasts, uploaded per interval (a half hour, an hour, a day, or the
whole month) by the client's managers or the provider's billing.

A forecast names a channel (`phone`) or a level (`phone.answer_within`); each interval lies
inside one month of the client's calendar, and the month's forecast is the sum of its
intervals. An upload replaces, for each reference and month it touches, every interval held
before (a client refines its forecast; it does not add to it): the same upload again changes
nothing. A CSV (`reference`, `start`, `minutes`, `forecast`; `start` in the client's home time
zone unless it carries an offset) is read whole first: one bad line writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.billing.credits import month_field, reference_field
from pactline.billing.models import VolumeForecast
from pactline.common.csv_input import csv_rows, empty_columns
from pactline.common.errors import FieldError, ValidationFailed
from pactline.metrics.intervals import local_midnight
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

COLUMNS = ("reference", "start", "minutes", "forecast")
FORECAST_MAX = 2**31 - 1
MAX_LINES = 200_000  # a month of quarter hours for every channel and level, with room


@dataclass(frozen=True)
class Interval:
    reference: str
    starts_at: datetime
    minutes: int
    forecast: int
    month: date  # the first day of the client's month the interval lies in
    line: int = 0


@dataclass(frozen=True)
class ForecastUpload:
    intervals: int
    replaced: list[tuple[str, date]]  # (reference, month) whose forecast changed


def _following(first: date) -> date:
    return first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)


def month_interval(client: Client, month: date, reference: str, forecast: int) -> Interval:
    """A whole month's forecast as one interval, from its first local midnight."""
    first = month_field(month)
    zone = client_zone(client)
    start = local_midnight(first, zone)
    minutes = int((local_midnight(_following(first), zone) - start).total_seconds() // 60)
    return Interval(
        reference_field(reference, channel_allowed=True),
        start,
        minutes,
        _forecast(forecast),
        first,
    )


def _forecast(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= FORECAST_MAX:
        raise ValidationFailed(
            [FieldError("forecast", _("give a whole number of contacts, 0 or more"))]
        )
    return value


def _start(text: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _line(row: dict[str, str], number: int, zone: ZoneInfo) -> Interval | list[FieldError]:
    errors = empty_columns(row, COLUMNS, number)
    if errors:
        return errors
    try:
        reference = reference_field(row["reference"], channel_allowed=True)
    except ValidationFailed as failed:
        errors += [FieldError("reference", e.message, line=number) for e in failed.errors]
        reference = ""
    try:
        start = _start(row["start"].strip(), zone)
    except ValueError:
        start = None
        errors.append(FieldError("start", _("give the start as YYYY-MM-DD HH:MM"), line=number))
    minutes = int(row["minutes"]) if row["minutes"].strip().isdigit() else 0
    if not 0 < minutes <= 31 * 24 * 60 + 60:
        errors.append(
            FieldError("minutes", _("give the interval's length in whole minutes"), line=number)
        )
    forecast = int(row["forecast"]) if row["forecast"].strip().isdigit() else -1
    if not 0 <= forecast <= FORECAST_MAX:
        errors.append(
            FieldError("forecast", _("give a whole number of contacts, 0 or more"), line=number)
        )
    if errors or start is None:
        return errors
    first = start.date().replace(day=1)
    if start + timedelta(minutes=minutes) > local_midnight(_following(first), zone):
        return [FieldError("minutes", _("an interval must end within its month"), line=number)]
    return Interval(reference, start.astimezone(zone), minutes, forecast, first, number)


def _line_named(number: int) -> str:
    return _("line %(line)s") % {"line": number}


def intervals_read(
    client: Client,
    rows: Iterable[tuple[int, dict[str, str]]],
    named: Callable[[int], str] = _line_named,
) -> tuple[list[Interval], list[FieldError]]:
    """Numbered rows (`reference`, `start`, `minutes`, `forecast` as text) as intervals, and
    every problem, each naming its column and row number; overlapping intervals of one
    reference are refused, naming the other (`named`: how a row is called)."""
    zone = client_zone(client)
    intervals: list[Interval] = []
    bad: list[FieldError] = []
    for number, row in rows:
        read = _line(row, number, zone)
        if isinstance(read, Interval):
            intervals.append(read)
        else:
            bad += read
    by_reference: dict[str, list[Interval]] = defaultdict(list)
    for interval in intervals:
        by_reference[interval.reference].append(interval)
    for listed in by_reference.values():
        listed.sort(key=lambda interval: (interval.starts_at, interval.line))
        for before, after in pairwise(listed):
            if after.starts_at < before.starts_at + timedelta(minutes=before.minutes):
                bad.append(
                    FieldError(
                        "start",
                        _("overlaps the interval of %(other)s") % {"other": named(before.line)},
                        line=after.line,
                    )
                )
    return intervals, sorted(bad, key=lambda error: error.line or 0)


def forecasts_read(client: Client, text: str) -> tuple[list[Interval], list[FieldError]]:
    """The CSV's intervals, and every problem of its bad lines (the header is line 1)."""
    rows, bad = csv_rows(text, COLUMNS)
    if bad:
        return [], bad
    if len(rows) > MAX_LINES:
        return [], [FieldError("file", _("the file has too many lines"), line=MAX_LINES + 2)]
    if not rows:
        return [], [FieldError("file", _("the file has no forecasts"), line=2)]
    return intervals_read(client, rows)


def _held(client: Client, reference: str, month: date) -> set[tuple[datetime, int, int]]:
    rows = VolumeForecast.objects.filter(client=client, reference=reference, month=month)
    return {(row.starts_at, row.minutes, row.forecast) for row in rows}


@transaction.atomic
def volume_forecasts_replace(
    *, actor: Actor, client: Client, intervals: list[Interval], now: datetime
) -> ForecastUpload:
    """For each reference and month among `intervals`, hold exactly those intervals; a month
    whose intervals are already held as given is left alone (and not audited again)."""
    require(actor, Permission.FORECAST_UPLOAD, client.id)
    # One writer per client at a time: the check and the replacement see the same rows.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    groups: dict[tuple[str, date], list[Interval]] = defaultdict(list)
    for interval in intervals:
        groups[(interval.reference, interval.month)].append(interval)
    replaced = []
    for (reference, month), rows in sorted(groups.items()):
        wanted = {(row.starts_at, row.minutes, row.forecast) for row in rows}
        if wanted == _held(client, reference, month):
            continue
        VolumeForecast.objects.filter(client=client, reference=reference, month=month).delete()
        VolumeForecast.objects.bulk_create(
            VolumeForecast(
                client=client,
                month=month,
                reference=reference,
                starts_at=row.starts_at,
                minutes=row.minutes,
                forecast=row.forecast,
                uploaded_by=actor.audit_label,
                uploaded_at=now,
            )
            for row in rows
        )
        replaced.append((reference, month))
        audit_record(
            actor=actor,
            action="billing.forecast_recorded",
            client_id=client.id,
            payload={
                "month": month.isoformat(),
                "reference": reference,
                "intervals": len(rows),
                "forecast": sum(row.forecast for row in rows),
            },
            at=now,
        )
    return ForecastUpload(len(intervals), replaced)


def volume_forecast_record(
    *,
    actor: Actor,
    client: Client,
    month: date,
    reference: str,
    forecast: int,
    now: datetime,
) -> ForecastUpload:
    """A whole month's forecast of a channel or a level, replacing its intervals."""
    require(actor, Permission.FORECAST_UPLOAD, client.id)
    interval = month_interval(client, month, reference, forecast)
    return volume_forecasts_replace(actor=actor, client=client, intervals=[interval], now=now)


def volume_forecasts_import(
    *, actor: Actor, client: Client, text: str, now: datetime
) -> ForecastUpload:
    """Every interval of the CSV, or none when any line is bad (every problem is told)."""
    require(actor, Permission.FORECAST_UPLOAD, client.id)
    intervals, bad = forecasts_read(client, text)
    if bad:
        raise ValidationFailed(bad)
    return volume_forecasts_replace(actor=actor, client=client, intervals=intervals, now=now)

"""A month's call legs rated in the database and in chunks, never as one object per leg.

A month of a million legs would otherwise be a million `CallLeg`s in memory. Here each price
item that rates calls asks the database for what its rule needs, read in chunks into int64
arrays: per-call rounding gets one row per call (the call's matched legs' billable seconds
summed in SQL, its leg count, and whether its earliest leg started outside hours), per-leg
rounding one row per leg, the month's total one row; per-call counts and diversion fees the
same way. Rounding and pricing are `pactline.core.rating`'s (`billable_seconds_many`,
`per_minute_rated`), so the lines equal the per-record engine's (`rate_month` over
`CallLeg`s) exactly; `usage_count` is counted alongside, since no line holds a million ids.

Decision: a leg is outside hours when its own `outside_hours` says so. The per-record path
asks whether any record of the version starting at that instant is outside hours; usage
derivation judges every record by its instant against the surcharge's one calendar, so the two
agree on every record Pactline writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Sum, Value, When

from pactline.billing.models import UsageKind, UsageRecord
from pactline.core.agreement import PerCall, PerMinute
from pactline.core.agreement.commercial import DiversionFee, PriceItem
from pactline.core.rating import (
    Rated,
    RatedLine,
    billable_seconds,
    billable_seconds_many,
    per_call_rated,
    per_minute_rated,
)

CHUNK = 50_000


@dataclass(frozen=True)
class LegScope:
    """Where one agreement version's call legs of the period are: the records `month_close`
    rates (those with a price item)."""

    client_id: int
    version_id: int
    start: datetime
    end: datetime

    def legs(self) -> QuerySet[UsageRecord]:
        return (
            UsageRecord.objects.filter(
                client_id=self.client_id,
                kind=UsageKind.CALL_LEG,
                agreement_version_id=self.version_id,
                at__gte=self.start,
                at__lt=self.end,
            )
            .exclude(price_item="")
            .order_by()
        )


@dataclass(frozen=True)
class Counted:
    """An item's rating and how many records its line and its after-hours line stand for."""

    rated: Rated
    usage_count: int
    after_count: int


def _matching(item: PriceItem) -> Q:
    """`engine.matches` in SQL: a blank channel reads as phone, a blank service type as none."""
    q = Q()
    if item.channels:
        channels = Q(channel__in=list(item.channels))
        if "phone" in item.channels:
            channels |= Q(channel="")
        q &= channels
    if item.service_types:
        q &= Q(service_type__in=list(item.service_types))
    return q


def _seconds(item: PerMinute) -> Any:
    total: Any = None
    for part in item.billable:
        total = F(f"{part}_seconds") if total is None else total + F(f"{part}_seconds")
    return total


def _outside() -> Case:
    return Case(When(outside_hours=True, then=Value(1)), default=Value(0))


def _chunks(queryset: QuerySet[Any], width: int) -> Iterator[np.ndarray[Any, Any]]:
    """The rows of a `values_list` queryset of integers as (n, width) int64 arrays, read with
    a server-side cursor on PostgreSQL (a chunk at a time on every database)."""
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield np.array(rows, dtype=np.int64).reshape(len(rows), width)


def _billed(durations: np.ndarray[Any, Any], minimum: int, increment: int) -> Any:
    return billable_seconds_many(durations, minimum, increment)


def rate_minutes(scope: LegScope, item: PerMinute, judged: bool) -> Counted:
    """The per-minute item's line over the scope's legs, rounded as `rounding_scope` says."""
    legs = scope.legs().filter(_matching(item))
    minimum, increment = item.minimum_seconds, item.increment_seconds
    total = after = count = after_count = 0
    if item.rounding_scope == "monthly_total":
        sums = legs.aggregate(
            seconds=Sum(_seconds(item)),
            after=Sum(Case(When(outside_hours=True, then=_seconds(item)), default=Value(0))),
            count=Count("id"),
            after_count=Sum(_outside()),
        )
        total = billable_seconds(int(sums["seconds"] or 0), minimum, increment)
        after, count, after_count = (int(sums[k] or 0) for k in ("after", "count", "after_count"))
    elif item.rounding_scope == "leg":
        rows = legs.annotate(s=_seconds(item), o=_outside()).values_list("s", "o")
        for chunk in _chunks(rows, 2):
            billed = _billed(chunk[:, 0], minimum, increment)
            outside = chunk[:, 1] == 1
            total += int(billed.sum())
            after += int(billed[outside].sum())
            count += len(chunk)
            after_count += int(outside.sum())
    else:
        # One row per call: a blank call id makes each leg a call of its own.
        calls = (
            legs.annotate(
                single=Case(When(call_id="", then=F("id")), default=Value(0)),
            )
            .values("call_id", "single")
            .annotate(
                s=Sum(_seconds(item)),
                n=Count("id"),
                first=Min("at"),
                first_outside=Min(Case(When(outside_hours=True, then=F("at")))),
            )
            .annotate(
                o=Case(
                    When(first_outside=F("first"), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .values_list("s", "n", "o")
        )
        for chunk in _chunks(calls, 3):
            billed = _billed(chunk[:, 0], minimum, increment)
            outside = chunk[:, 2] == 1
            total += int(billed.sum())
            after += int(billed[outside].sum())
            count += int(chunk[:, 1].sum())
            after_count += int(chunk[outside, 1].sum())
    if not judged:
        after = after_count = 0
    return Counted(per_minute_rated(item, total, after), count, after_count)


def _counted(item: PerCall) -> Q:
    inbound = Q(direction__in=("inbound", ""))
    if item.counts == "handled":
        return inbound & Q(handled=True)
    if item.counts == "offered":
        return inbound
    return Q(direction="outbound")


def rate_calls(scope: LegScope, item: PerCall, judged: bool) -> Counted:
    """The per-call item's calls: counted by each call's first leg (its lowest `leg` among the
    scope's legs of that call id; every leg without a call id is a first leg)."""
    counted = scope.legs().filter(_matching(item), _counted(item))
    mine = counted.values_list("call_id", "leg", "outside_hours")
    mine_sql, mine_params = mine.query.sql_with_params()
    firsts = scope.legs().exclude(call_id="").values("call_id").annotate(first=Min("leg"))
    first_sql, first_params = firsts.values_list("call_id", "first").query.sql_with_params()
    # Two ORM-compiled subqueries joined; every value is a bound parameter.
    joined = f"({mine_sql}) u LEFT JOIN ({first_sql}) f ON f.call_id = u.call_id"
    sql = (
        "SELECT COUNT(*), SUM(CASE WHEN u.outside_hours THEN 1 ELSE 0 END) FROM "  # noqa: S608
        + joined
        + " WHERE u.call_id = '' OR u.leg = f.first"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*mine_params, *first_params))
        count, after = cursor.fetchone()
    count = int(count or 0)
    after = int(after or 0) if judged else 0
    return Counted(per_call_rated(item, count, after), count, after)


def rate_diversion_fee(scope: LegScope, fee: DiversionFee) -> tuple[RatedLine, int] | None:
    """`engine.rate_diversion` over the scope's legs forwarded to the fee's destination."""
    rows = scope.legs().filter(diverted_to=fee.destination).values_list("talk_seconds")
    seconds = count = 0
    for chunk in _chunks(rows, 1):
        seconds += int(_billed(chunk[:, 0], fee.minimum_seconds, fee.increment_seconds).sum())
        count += len(chunk)
    if not count:
        return None
    quantity = Fraction(seconds, 60)
    line = RatedLine(
        item=f"Diversion to {fee.destination}",
        model="diversion",
        quantity=quantity,
        unit="minute",
        rate=fee.rate,
        amount=quantity * Fraction(fee.rate),
        detail=f"{seconds} s / 60 @ {fee.rate}",
    )
    return line, count

"""Month close for one client with 1,000,000 call legs, on SQLite and on PostgreSQL.

Each database runs in a child process (fresh Django settings), on a throwaway copy of the
migrated template (see `_support`). The child loads the per-minute AUD example agreement
(Kestrel Energy: inbound talk + hold + after-call work at 30/6 rounded per call, outbound talk
at 60/60, a 35 percent after-hours surcharge on the contact centre's calendar, diversion fees to
mobile and international numbers), issues the compliance statement of August 2026
(`statement_issue`) and bulk-inserts BENCH_CALLS (default 1,000,000; `--smoke` 3,000) call-leg
usage records of that month (COPY on PostgreSQL): 85 percent inbound over four service types,
one call in ten with a second leg (a transfer; some of those forwarded to a mobile or an
international number), 15 percent outbound, three quarters within the contact centre's hours,
each record's `outside_hours` judged by that calendar as usage derivation does.

Then `month_close` runs twice (the second run is the idempotent re-close, which rewrites
nothing) and a third time under `tracemalloc` for the peak memory it allocates (Python and
numpy allocations; the database's own memory is not counted).

The peer, in the same process on the same month: the plain approach. It iterates the month's
`UsageRecord` instances (`.iterator()`), sums each call's billable seconds per price item by
call id, and adds each call's (and each diverted leg's) amount in `Decimal`; the surcharge is
35 percent of the amount of the calls whose first leg is outside hours. Its line amounts,
rounded half-up to the cent, must equal the invoice's lines (the benchmark fails otherwise).
It runs on the whole month.

Goals: the close < 30 s on PostgreSQL with 1,000,000 legs, and memory flat (the close's traced
peak does not grow with the number of legs: compare BENCH_CALLS=100000).
BENCH_DATABASES=sqlite or =postgresql runs one of the two."""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import run_per_database, size  # noqa: E402

LEGS = size(1_000_000, 3_000, "BENCH_CALLS")
MONTH = date(2026, 8, 1)
NOW = datetime(2026, 9, 2, tzinfo=UTC)
# August 2026 in Adelaide is UTC+9:30 (no daylight saving), 31 days.
MONTH_START = int(datetime(2026, 7, 31, 14, 30, tzinfo=UTC).timestamp())
MONTH_SECONDS = 31 * 86400
CHUNK = 50_000
GOAL_SECONDS = 30.0
INBOUND = "Inbound handled minutes"
OUTBOUND = "Outbound campaign minutes"
INBOUND_TYPES = ("inbound_support", "billing_inquiry", "complaint_handling", "troubleshooting")
OUTBOUND_TYPES = ("outbound_calling", "proactive_outreach")


def _legs(count: int, is_open: Any) -> dict[str, np.ndarray[Any, Any]]:
    """`count` legs as arrays, in start order: one call in eleven of them is a second leg."""
    rng = np.random.default_rng(20260801)
    seconds_legs = count // 11
    calls = count - seconds_legs
    day = rng.integers(0, 31, calls)
    # Three quarters of the calls start between 07:30 and 21:00 local time, the rest at any time.
    busy = day * 86400 + 7 * 3600 + 1800 + rng.integers(0, 13 * 3600 + 1800, calls)
    anytime = rng.integers(0, MONTH_SECONDS, calls)
    at = MONTH_START + np.where(rng.random(calls) < 0.75, busy, anytime) % MONTH_SECONDS
    outbound = rng.random(calls) < 0.15
    handled = np.where(outbound, rng.random(calls) < 0.7, rng.random(calls) < 0.92)
    talk = np.where(handled, rng.exponential(np.where(outbound, 180, 240)).astype(np.int64) + 5, 0)
    hold = np.where(handled & ~outbound & (rng.random(calls) < 0.2), rng.exponential(60, calls), 0)
    acw = np.where(handled & ~outbound, rng.exponential(30, calls), 0)
    service = np.where(
        outbound,
        rng.integers(0, len(OUTBOUND_TYPES), calls) + len(INBOUND_TYPES),
        rng.integers(0, len(INBOUND_TYPES), calls),
    )
    # Second legs: transfers of handled inbound calls, after the first leg's talk and hold.
    candidates = np.flatnonzero(handled & ~outbound)
    firsts = rng.choice(candidates, size=min(seconds_legs, candidates.size), replace=False)
    n2 = firsts.size
    forward = rng.random(n2)
    legs = {
        "call": np.r_[np.arange(calls), firsts],
        "leg": np.r_[np.zeros(calls, np.int64), np.ones(n2, np.int64)],
        "at": np.r_[at, at[firsts] + talk[firsts] + hold[firsts].astype(np.int64)],
        "outbound": np.r_[outbound, np.zeros(n2, bool)],
        "handled": np.r_[handled, np.ones(n2, bool)],
        "talk": np.r_[talk, rng.exponential(120, n2).astype(np.int64) + 5],
        "hold": np.r_[hold.astype(np.int64), np.zeros(n2, np.int64)],
        "acw": np.r_[acw.astype(np.int64), rng.exponential(30, n2).astype(np.int64)],
        "service": np.r_[service, service[firsts]],
        # 0 none, 1 mobile, 2 international
        "diverted": np.r_[
            np.zeros(calls, np.int64), np.where(forward < 0.25, 1, 0) + (forward > 0.97) * 2
        ],
    }
    order = np.argsort(legs["at"], kind="stable")
    legs = {name: values[order] for name, values in legs.items()}
    legs["outside"] = ~is_open(legs["at"].astype("datetime64[s]").astype("datetime64[us]"))
    return legs


def _insert(client_id: int, version_id: int, legs: dict[str, np.ndarray[Any, Any]]) -> None:
    """The legs as usage records, written the fastest way each database takes them: COPY on
    PostgreSQL, executemany on SQLite (fields left out get their model default)."""
    from django.db import connection, transaction

    from pactline.billing.models import UsageKind, UsageRecord, UsageSource

    fields = [f for f in UsageRecord._meta.concrete_fields if not f.primary_key]
    columns = [f.attname for f in fields]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    position = {name: n for n, name in enumerate(columns)}
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    postgres = connection.vendor == "postgresql"
    types = (*INBOUND_TYPES, *OUTBOUND_TYPES)
    destinations = ("", "mobile", "international")
    base = defaults[:]
    for name, value in {
        "client_id": client_id, "source": UsageSource.CALL, "kind": UsageKind.CALL_LEG,
        "agreement_version_id": version_id, "channel": "phone", "queue": "support",
        "amount": None,
    }.items():  # fmt: skip
        base[position[name]] = value
    n = len(legs["at"])
    for begin in range(0, n, CHUNK):
        part = {name: values[begin : begin + CHUNK] for name, values in legs.items()}
        stamps = np.datetime_as_string(part["at"].astype("datetime64[s]"))
        rows = []
        for k in range(len(stamps)):
            row = base[:]
            call, leg, outbound = (
                int(part["call"][k]),
                int(part["leg"][k]),
                bool(part["outbound"][k]),
            )
            stamp = str(stamps[k]).replace("T", " ")
            row[position["source_id"]] = call
            row[position["part"]] = "leg" if leg == 0 else f"leg{leg}"
            row[position["price_item"]] = OUTBOUND if outbound else INBOUND
            row[position["at"]] = f"{stamp}+00:00" if postgres else stamp
            row[position["service_type"]] = types[int(part["service"][k])]
            row[position["direction"]] = "outbound" if outbound else "inbound"
            row[position["call_id"]] = f"bench-{call}"
            row[position["leg"]] = leg
            row[position["handled"]] = bool(part["handled"][k])
            row[position["talk_seconds"]] = int(part["talk"][k])
            row[position["hold_seconds"]] = int(part["hold"][k])
            row[position["acw_seconds"]] = int(part["acw"][k])
            row[position["outside_hours"]] = bool(part["outside"][k])
            row[position["diverted_to"]] = destinations[int(part["diverted"][k])]
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _billable(seconds: int, minimum: int, increment: int) -> int:
    if seconds == 0:
        return 0
    if seconds <= minimum:
        return minimum
    return minimum + -(-(seconds - minimum) // increment) * increment


def _plain(client_id: int, start: datetime, end: datetime, pricing: Any) -> dict[str, Decimal]:
    """The peer: model instances one by one, each call's amount added in Decimal."""
    from pactline.billing.models import UsageKind, UsageRecord

    items = {item.name: item for item in pricing.items}
    fees = {fee.destination: fee for fee in pricing.diversion_fees}
    calls: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    records = (
        UsageRecord.objects.filter(
            client_id=client_id, kind=UsageKind.CALL_LEG, at__gte=start, at__lt=end
        )
        .exclude(price_item="")
        .order_by("id")
    )
    for record in records.iterator(chunk_size=5000):
        item = items[record.price_item]
        seconds = sum(getattr(record, f"{part}_seconds") for part in item.billable)
        key = record.call_id or f"record-{record.pk}"
        call = calls[item.name].get(key)
        if call is None:
            calls[item.name][key] = [seconds, record.at, record.outside_hours]
        else:
            call[0] += seconds
            if record.at < call[1]:
                call[1], call[2] = record.at, record.outside_hours
        if record.diverted_to:
            fee = fees[record.diverted_to]
            billed = _billable(record.talk_seconds, fee.minimum_seconds, fee.increment_seconds)
            amounts[f"Diversion to {fee.destination}"] += Decimal(billed) / 60 * fee.rate
    percent = pricing.after_hours_surcharge.percent
    for name, found in calls.items():
        item = items[name]
        after = Decimal(0)
        for seconds, _at, outside in found.values():
            billed = _billable(seconds, item.minimum_seconds, item.increment_seconds)
            amount = Decimal(billed) / 60 * item.rate
            amounts[name] += amount
            if outside:
                after += amount
        if after:
            amounts[f"{name} (after hours)"] = after * percent / 100
    cent = Decimal("0.01")
    return {name: amount.quantize(cent, ROUND_HALF_UP) for name, amount in amounts.items()}


def child(database: str) -> None:
    from django.db import connection

    from pactline.agreements.terms import agreement_calendar
    from pactline.billing.close import month_close
    from pactline.cases.tests.fixtures import load_example
    from pactline.metrics.periods import period_bounds, period_of
    from pactline.metrics.statements import statement_issue
    from pactline.metrics.timezones import client_zone
    from pactline.tenancy.access import system_actor

    actor = system_actor("bench")
    version = load_example("call-centre-per-minute")
    client = version.client
    statement_issue(actor=actor, client=client, day=MONTH, now=NOW)
    calendar = agreement_calendar(version, "contact-centre")
    started = time.perf_counter()
    legs = _legs(LEGS, calendar.is_open_many)
    calls = int(np.count_nonzero(legs["leg"] == 0))
    _insert(client.id, version.pk, legs)
    del legs
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE billing_usagerecord")
    inserted = time.perf_counter() - started

    def close() -> tuple[float, Any]:
        begun = time.perf_counter()
        outcome = month_close(actor=actor, client=client, period_start=MONTH, now=NOW)
        return time.perf_counter() - begun, outcome

    first_seconds, first = close()
    second_seconds, second = close()
    tracemalloc.start()
    close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    invoice = first.invoice
    lines = {line.item: line.amount for line in invoice.lines.order_by("position")}
    counts = {line.item: line.usage_count for line in invoice.lines.order_by("position")}
    first_day, last_day = period_of("monthly", MONTH)
    start, end = period_bounds(first_day, last_day, client_zone(client))
    begun = time.perf_counter()
    plain = _plain(client.id, start, end, version.terms.pricing)
    plain_seconds = time.perf_counter() - begun
    print(
        json.dumps(
            {
                "database": database,
                "legs": LEGS,
                "calls": calls,
                "insert_seconds": inserted,
                "close_first": first_seconds,
                "close_second": second_seconds,
                "first_changed": first.changed,
                "second_changed": second.changed,
                "peak_bytes": peak,
                "plain_seconds": plain_seconds,
                "agree": set(plain) <= set(lines)
                and all(plain.get(item, Decimal(0)) == amount for item, amount in lines.items()),
                "lines": {k: [str(v), counts[k]] for k, v in lines.items()},
                "plain": {k: str(v) for k, v in plain.items()},
                "subtotal": str(invoice.subtotal),
                "total": str(invoice.total),
                "load": round(os.getloadavg()[0], 2),
            }
        )
    )


# --- parent ---------------------------------------------------------------------------------


def _report(result: dict[str, Any]) -> None:
    best = min(result["close_first"], result["close_second"])
    print(f"== {result['database']} (load average {result['load']}, 2 cores, shared)")
    print(
        f"{result['legs']:,} call legs ({result['calls']:,} calls) inserted in"
        f" {result['insert_seconds']:.1f} s"
    )
    for item, (amount, count) in result["lines"].items():
        print(f"  {item:<42} {amount:>14}  ({count:,} records)")
    print(f"  subtotal {result['subtotal']}, total with GST {result['total']}")
    print(
        f"month_close: {result['close_first']:.2f} s (writes the draft: {result['first_changed']});"
        f" re-close {result['close_second']:.2f} s (writes nothing: {not result['second_changed']});"
        f" best {best:.2f} s"
    )
    print(
        f"peak memory the close allocates (tracemalloc, third close): {result['peak_bytes'] / 2**20:.1f} MiB"
    )
    print(
        f"plain per-record Decimal loop over model instances: {result['plain_seconds']:.2f} s;"
        f" ratio {result['plain_seconds'] / best:,.1f}x; lines agree to the cent: {result['agree']}"
    )
    if not result["agree"]:
        print(f"  plain: {result['plain']}")
        raise SystemExit(f"{result['database']}: the invoice's lines differ from the plain loop's")
    if result["database"] == "PostgreSQL":
        met = best < GOAL_SECONDS
        print(f"goal: close < {GOAL_SECONDS:.0f} s on PostgreSQL {'met' if met else 'MISSED'}")


def main() -> None:
    run_per_database(__file__, "close", child, _report)


if __name__ == "__main__":
    main()

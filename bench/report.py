"""A month's report for one client with 1,000,000 contacts, on SQLite and on PostgreSQL.

Each database runs in a child process (fresh Django settings): a throwaway SQLite file, and a
throwaway PostgreSQL database created and dropped on BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres). The child loads Northwind's agreement (the
general outsourcing example, America/New_York), bulk-inserts BENCH_CONTACTS (default
1,000,000) inbound calls spread over March 2026 (busier in business hours; 4 queues of 15
agents; answered, abandoned, callback and timeout outcomes) together with their facts, and
builds the 15-minute rollups with `rollups_recompute`, the same statement the consumer uses.

Then, in the same run:
- the month's KPIs from the rollups: the report content of "Monthly service review" limited
  to the queue KPIs (volume per channel and per day, every service level of the agreement with
  its verdict, abandonment, AHT and its parts, ASA), best of three;
- the same KPIs with a GROUP BY over the raw contacts (the voice Call table, per local day),
  best of three, checked against the rollups' figures;
- the same KPIs computed by DuckDB over the same calls (copied into an in-memory DuckDB table
  first, as a client's data team would hold them): the engine one would pick instead of
  Pactline's rollups, best of three, checked against the rollups' figures;
- rendering that month's report as a PDF (WeasyPrint, charts included), best of three.

BENCH_DATABASES=sqlite or =postgresql runs one of the two; `--smoke` inserts 3,000 calls.
Goals: KPIs < 2 s, PDF < 10 s, and the rollups no slower than DuckDB over the raw calls."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import (  # noqa: E402
    SMOKE,
    run_per_database,
    size,
)

CONTACTS = size(1_000_000, 3_000, "BENCH_CONTACTS")
REPORT = "Monthly service review"
MONTH = date(2026, 3, 1)
CHUNK = 20_000
QUEUES = ("support", "billing", "sales", "tech")


def _arrivals(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """Arrival instants over [start, end): three quarters in 13:00-01:00 UTC (08:00-20:00 in
    New York), the rest at any time."""
    seconds = int((end - start).total_seconds())
    days = seconds // 86400
    out = []
    for _ in range(count):
        if rng.random() < 0.75:
            day = rng.randrange(days)
            offset = day * 86400 + 13 * 3600 + rng.randrange(12 * 3600)
        else:
            offset = rng.randrange(seconds)
        out.append(start + timedelta(seconds=min(offset, seconds - 1)))
    out.sort()
    return out


def _writer(model: type, *, with_id: bool = False, rows_per_call: int = 5000) -> Any:
    """A fast bulk insert of plain dicts (values ready for the database) into `model`'s
    table: PostgreSQL COPY, else executemany; fields left out get their model default."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    position = {f.attname: n for n, f in enumerate(fields)}
    template = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)

    def prepared(row: dict[str, Any]) -> list[Any]:
        out = template[:]
        for name, value in row.items():
            out[position[name]] = value
        return out

    def write(rows: list[dict[str, Any]]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(prepared(row))
                return
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            for begin in range(0, len(rows), rows_per_call):
                chunk = rows[begin : begin + rows_per_call]
                cursor.executemany(sql, [prepared(row) for row in chunk])

    return write


def _instant(vendor: str) -> Any:
    """Aware UTC datetimes as the backend stores them (SQLite: naive UTC text)."""
    if vendor == "sqlite":
        return lambda at: None if at is None else at.replace(tzinfo=None).isoformat(" ")
    return lambda at: at


def _populate(
    client_id: int, start: datetime, end: datetime, count: int = CONTACTS
) -> dict[str, float]:
    """Calls and their facts (as `call_facts` derives them for these outcomes), then the
    rollups of every interval through `rollups_recompute`."""
    from django.db import connection, transaction

    from pactline.channels.voice.models import Call, CallSource, Outcome
    from pactline.metrics.agreement_terms import client_thresholds
    from pactline.metrics.intervals import interval_of
    from pactline.metrics.models import Fact, Part, Source, WaitOutcome
    from pactline.metrics.rollups import rollups_recompute

    rng = random.Random(20260301)
    agents = {q: [f"PJSIP/{6000 + 15 * i + n}" for n in range(15)] for i, q in enumerate(QUEUES)}
    started = time.perf_counter()
    arrivals = _arrivals(rng, count, start, end)
    write_calls, write_facts = _writer(Call, with_id=True), _writer(Fact)
    db = _instant(connection.vendor)
    intervals = set()
    outcomes = {
        Outcome.ANSWERED: WaitOutcome.ANSWERED,
        Outcome.ABANDONED: WaitOutcome.ABANDONED,
        Outcome.EXIT_KEY: WaitOutcome.CALLBACK,
        Outcome.TIMEOUT: WaitOutcome.OTHER,
    }
    for begin in range(0, count, CHUNK):
        calls, facts = [], []
        for n, at in enumerate(arrivals[begin : begin + CHUNK]):
            number = begin + n + 1
            queue = rng.choice(QUEUES)
            roll = rng.random()
            wait = int(rng.expovariate(1 / 25))
            talk = hold = acw = 0
            agent = ""
            if roll < 0.85:
                outcome = Outcome.ANSWERED
                agent = rng.choice(agents[queue])
                talk = int(rng.expovariate(1 / 240)) + 5
                hold = int(rng.expovariate(1 / 60)) if rng.random() < 0.2 else 0
                acw = int(rng.expovariate(1 / 30))
            elif roll < 0.95:
                outcome = Outcome.ABANDONED
            elif roll < 0.98:
                outcome = Outcome.EXIT_KEY
            else:
                outcome, wait = Outcome.TIMEOUT, 300
            answered = int(outcome == Outcome.ANSWERED)
            abandoned = int(outcome == Outcome.ABANDONED)
            slot = interval_of(at)
            intervals.add(slot)
            at_db = db(at)
            calls.append(
                {
                    "id": number, "client_id": client_id, "call_id": f"bench-{number}",
                    "source": CallSource.QUEUE_LOG, "queue": queue, "entered_at": at_db,
                    "answered_at": db(at + timedelta(seconds=wait)) if answered else None,
                    "ended_at": db(at + timedelta(seconds=wait + talk + hold)),
                    "wait_seconds": wait, "talk_seconds": talk, "hold_seconds": hold,
                    "acw_seconds": acw, "agent": agent, "outcome": outcome,
                    "change_seq": number, "created_at": at_db, "updated_at": at_db,
                }
            )  # fmt: skip
            facts.append(
                {
                    "client_id": client_id, "source": Source.CALL, "source_id": number,
                    "part": Part.CONTACT, "at": at_db, "interval_start": db(slot), "channel": "phone",
                    "queue": queue, "agent": agent, "priority": "", "handled": answered,
                    "talk_seconds": talk, "hold_seconds": hold, "acw_seconds": acw,
                    "held": int(answered and hold > 0), "wait_outcome": outcomes[outcome],
                    "wait_seconds": wait, "offered": 1, "answered": answered,
                    "abandoned": abandoned, "callbacks": int(outcome == Outcome.EXIT_KEY),
                    "other_unanswered": int(outcome == Outcome.TIMEOUT),
                    "answered_wait_seconds": wait * answered,
                    "abandoned_wait_seconds": wait * abandoned,
                }
            )  # fmt: skip
        with transaction.atomic():
            write_calls(calls)
            write_facts(facts)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        rollups_recompute(client_id, intervals, client_thresholds(client_id))
    return {"insert_seconds": inserted, "rollup_seconds": time.perf_counter() - started}


def _raw_kpis(client_id: int, days: list[tuple[datetime, datetime]]) -> dict[str, object]:
    """The queue KPIs of the month from the Call table: per local day, one aggregate over
    the day's calls (the index on client and entry time finds them)."""
    from django.db.models import Case, Count, IntegerField, Q, Sum, When

    from pactline.channels.voice.models import Call, Outcome

    def count_if(condition: Q) -> Sum:
        return Sum(Case(When(condition, then=1), default=0, output_field=IntegerField()))

    def sum_if(condition: Q, field: str) -> Sum:
        return Sum(Case(When(condition, then=field), default=0, output_field=IntegerField()))

    answered = Q(outcome__in=(Outcome.ANSWERED, Outcome.AGENT_DUMP))
    sums = {
        "offered": Count("id"),
        "answered": count_if(answered),
        "abandoned": count_if(Q(outcome=Outcome.ABANDONED)),
        "callbacks": count_if(Q(outcome=Outcome.EXIT_KEY)),
        "answered_within": count_if(answered & Q(wait_seconds__lte=20)),
        "short_abandons": count_if(Q(outcome=Outcome.ABANDONED, wait_seconds__lte=4)),
        "wait": sum_if(answered, "wait_seconds"),
        "talk": sum_if(answered, "talk_seconds"),
        "hold": sum_if(answered, "hold_seconds"),
        "acw": sum_if(answered, "acw_seconds"),
    }
    rows = [
        Call.objects.filter(client_id=client_id, entered_at__gte=start, entered_at__lt=end)
        .order_by()
        .aggregate(**sums)
        for start, end in days
    ]
    total = {key: sum(row[key] or 0 for row in rows) for key in sums}
    total["handle"] = total["talk"] + total["hold"] + total["acw"]
    return {"days": len(rows), "by_day": [row["offered"] for row in rows], **total}


def _duckdb_calls(client_id: int) -> Any:
    """An in-memory DuckDB database holding the client's calls (entry instant as naive UTC)."""
    import duckdb
    import numpy as np

    from pactline.channels.voice.models import Call

    columns: dict[str, list[Any]] = {
        name: []
        for name in ("entered_at", "outcome", "wait_seconds", "talk_seconds", "hold_seconds",
                     "acw_seconds")
    }  # fmt: skip
    rows = Call.objects.filter(client_id=client_id).order_by().values_list(*columns)
    for row in rows.iterator(chunk_size=50_000):
        for values, value in zip(columns.values(), row, strict=True):
            values.append(value)
    entered = np.array([at.replace(tzinfo=None) for at in columns["entered_at"]], "datetime64[us]")
    table = {name: np.array(values) for name, values in columns.items() if name != "entered_at"}
    table["entered_at"] = entered
    con = duckdb.connect()
    con.register("calls_in", table)
    con.execute("CREATE TABLE calls AS SELECT * FROM calls_in")
    con.unregister("calls_in")
    return con


def _offsets(zone: Any, start: datetime, end: datetime) -> str:
    """A DuckDB CASE giving the zone's UTC offset (seconds) at `entered_at` over [start, end):
    the offset changes only at the zone's transitions, found on the 15-minute grid every zone
    keeps."""
    step = timedelta(minutes=15)
    at = start
    offset = int(start.astimezone(zone).utcoffset().total_seconds())
    branches = []
    while at < end:
        now = int(at.astimezone(zone).utcoffset().total_seconds())
        if now != offset:
            naive = at.astimezone(UTC).replace(tzinfo=None)
            branches.append(f"WHEN entered_at < TIMESTAMP '{naive}' THEN {offset}")
            offset = now
        at += step
    return f"CASE {' '.join(branches)} ELSE {offset} END" if branches else str(offset)


def _duckdb_kpis(con: Any, days: list[tuple[datetime, datetime]], zone: Any) -> dict[str, object]:
    """The queue KPIs of the month per local day, as one DuckDB query over the calls. The local
    day is the epoch plus the zone's offset at that instant, divided by 86,400: the fastest
    formulation we found that is right across a DST change (a range join on the day bounds
    takes about eight times as long, ICU's `timezone()` about five)."""
    from pactline.channels.voice.models import Outcome

    start, end = days[0][0].astimezone(UTC), days[-1][1].astimezone(UTC)
    answered = f"outcome IN ('{Outcome.ANSWERED}', '{Outcome.AGENT_DUMP}')"
    abandoned = f"outcome = '{Outcome.ABANDONED}'"
    rows = con.execute(
        f"""
        SELECT (epoch(entered_at)::BIGINT + {_offsets(zone, start, end)}) // 86400 AS day,
            count(*) AS offered,
            count(*) FILTER ({answered}) AS answered,
            count(*) FILTER ({abandoned}) AS abandoned,
            count(*) FILTER (outcome = '{Outcome.EXIT_KEY}') AS callbacks,
            count(*) FILTER ({answered} AND wait_seconds <= 20) AS answered_within,
            count(*) FILTER ({abandoned} AND wait_seconds <= 4) AS short_abandons,
            coalesce(sum(wait_seconds) FILTER ({answered}), 0) AS wait,
            coalesce(sum(talk_seconds) FILTER ({answered}), 0) AS talk,
            coalesce(sum(hold_seconds) FILTER ({answered}), 0) AS hold,
            coalesce(sum(acw_seconds) FILTER ({answered}), 0) AS acw
        FROM calls WHERE entered_at >= ?::TIMESTAMP AND entered_at < ?::TIMESTAMP
        GROUP BY day
        """,
        [start.replace(tzinfo=None), end.replace(tzinfo=None)],
    ).fetchall()
    keys = ("offered", "answered", "abandoned", "callbacks", "answered_within", "short_abandons",
            "wait", "talk", "hold", "acw")  # fmt: skip
    total = {key: sum(int(row[n + 1]) for row in rows) for n, key in enumerate(keys)}
    total["handle"] = total["talk"] + total["hold"] + total["acw"]
    by_day = [int(row[1]) for row in sorted(rows)]
    return {"days": len(rows), "by_day": by_day, **total}


def _profile(run: Any) -> None:
    """With BENCH_PROFILE set: where one run spends its time, and its queries, on stderr."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profile.enable()
        run()
        profile.disable()
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(50)
    for query in queries.captured_queries:
        sys.stderr.write(f"{query['time']} {query['sql'][:400]}\n")


def child(database: str) -> None:
    from django.db import connection
    from django.utils import translation

    from pactline.cases.tests.fixtures import load_example
    from pactline.metrics.intervals import local_day_bounds
    from pactline.metrics.models import Rollup
    from pactline.reports.data import report_content, report_period, report_spec
    from pactline.reports.presentation import report_view
    from pactline.reports.renderers import render_pdf

    client = load_example("general-outsourcing").client
    spec = report_spec(client, REPORT, datetime(2026, 3, 31, 12, tzinfo=UTC))
    period = report_period(client, "monthly", MONTH)
    populated = _populate(client.id, period.start, period.end)
    rollup_rows = Rollup.objects.filter(client=client).count()

    kpis = ("volume", "service_levels", "abandon_rate", "aht")
    spec = type(spec)(spec.version, spec.terms, spec.report.model_copy(update={"contents": kpis}))

    def best(run: object, times: int = 1 if SMOKE else 3) -> tuple[float, float, object]:
        """(first wall time, best wall time, result); the best run's CPU time of this
        process is kept in `cpu[-1]` (SQLite runs inside the process, PostgreSQL does not)."""
        results = []
        value = None
        for _ in range(times):
            started, cpu_started = time.perf_counter(), time.process_time()
            value = run()  # type: ignore[operator]
            results.append((time.perf_counter() - started, time.process_time() - cpu_started))
        cpu.append(min(results)[1])
        return results[0][0], min(results)[0], value

    cpu: list[float] = []
    first_rollups, rollups, content = best(lambda: report_content(client, spec, period))
    if os.environ.get("BENCH_PROFILE"):
        _profile(lambda: report_content(client, spec, period))
    days = [local_day_bounds(day, period.zone) for day in period.days]
    first_raw, raw, totals = best(lambda: _raw_kpis(client.id, days))
    started = time.perf_counter()
    duck = _duckdb_calls(client.id)
    duck_load = time.perf_counter() - started
    first_duck, duck_seconds, duck_totals = best(lambda: _duckdb_kpis(duck, days, period.zone))

    phone = {row.channel: row for row in content.sections.get("volume").rows}["phone"]
    results = {
        (r.channel, r.name): r for r in content.sections.get("service_levels").segments[0].results
    }
    sl = results["phone", "answer_within"].value
    aht = results["phone", "aht"].value
    agree = (
        phone.offered == totals["offered"]  # type: ignore[index]
        and phone.answered == totals["answered"]  # type: ignore[index]
        and phone.abandoned == totals["abandoned"]  # type: ignore[index]
        and sl.numerator == totals["answered_within"]  # type: ignore[index]
        and sl.denominator == totals["answered"] + totals["abandoned"] - totals["short_abandons"]  # type: ignore[index, operator]
        and aht.numerator == totals["handle"]  # type: ignore[index]
        and [point.offered for point in content.sections.get("volume").series] == totals["by_day"]  # type: ignore[union-attr, index]
    )
    duck_agree = totals == duck_totals  # per local day too

    def pdf() -> bytes:
        with translation.override("en"):
            return render_pdf(report_view(content))  # type: ignore[arg-type]

    first_pdf, pdf_seconds, pdf_bytes = best(pdf)
    print(
        json.dumps(
            {
                "database": database,
                "vendor": connection.vendor,
                "contacts": CONTACTS,
                **populated,
                "rollup_rows": rollup_rows,
                "kpi_first": first_rollups,
                "kpi_seconds": rollups,
                "kpi_cpu": cpu[0],
                "raw_first": first_raw,
                "raw_seconds": raw,
                "raw_cpu": cpu[1],
                "raw_days": totals["days"],  # type: ignore[index]
                "agree": agree,
                "duck_load": duck_load,
                "duck_first": first_duck,
                "duck_seconds": duck_seconds,
                "duck_agree": duck_agree,
                "service_level": str(sl.value.quantize(Decimal("0.01"))),
                "pdf_first": first_pdf,
                "pdf_seconds": pdf_seconds,
                "pdf_bytes": len(pdf_bytes),  # type: ignore[arg-type]
                "load": round(os.getloadavg()[0], 2),
            }
        )
    )


# --- parent ---------------------------------------------------------------------------------


def _report(result: dict[str, object]) -> None:
    def f(key: str) -> float:
        return float(str(result[key]))

    print(f"== {result['database']} (load average {result['load']}, 2 cores, shared)")
    print(
        f"{int(f('contacts')):,} calls and their facts inserted in {f('insert_seconds'):.1f} s;"
        f" rollups recomputed in {f('rollup_seconds'):.1f} s -> {int(f('rollup_rows')):,} rows"
    )
    print(
        f"month's KPIs from the rollups:        {f('kpi_seconds'):6.3f} s"
        f" (first run {f('kpi_first'):.3f} s; CPU of this process {f('kpi_cpu'):.3f} s)"
    )
    print(
        f"same KPIs, GROUP BY over the calls:   {f('raw_seconds'):6.3f} s"
        f" (first run {f('raw_first'):.3f} s; CPU of this process {f('raw_cpu'):.3f} s;"
        f" {result['raw_days']} local days)"
    )
    print(
        f"ratio: rollups {f('raw_seconds') / f('kpi_seconds'):,.1f}x faster;"
        f" figures agree: {result['agree']} (phone service level {result['service_level']}%)"
    )
    print(
        f"same KPIs, DuckDB over the calls:     {f('duck_seconds'):6.3f} s"
        f" (first run {f('duck_first'):.3f} s; calls copied into DuckDB in {f('duck_load'):.1f} s)"
    )
    print(
        f"ratio: DuckDB / rollups {f('duck_seconds') / f('kpi_seconds'):,.2f}"
        f" (>= 1: the rollups are no slower); figures agree: {result['duck_agree']}"
    )
    print(
        f"month PDF: {f('pdf_seconds'):.2f} s (first run {f('pdf_first'):.2f} s,"
        f" {int(f('pdf_bytes')):,} bytes)"
    )
    kpi_ok = f("kpi_seconds") < 2
    pdf_ok = f("pdf_seconds") < 10
    duck_ok = f("kpi_seconds") <= f("duck_seconds")
    print(
        f"goals: KPIs < 2 s {'met' if kpi_ok else 'MISSED'}; PDF < 10 s {'met' if pdf_ok else 'MISSED'};"
        f" rollups no slower than DuckDB {'met' if duck_ok else 'MISSED'}"
    )


def main() -> None:
    run_per_database(__file__, "report", child, _report)


if __name__ == "__main__":
    main()

"""Breach latency of the SLA clock loop on PostgreSQL.

1,000,000 running clocks, of which 10,000 fall due in the same second. Measures, for every one
of those 10,000, the time from its due instant to the commit that records its breach event,
with one loop and with two loops at once. Peers do not keep a due-time queue; they re-scan on a
cadence, so their latency is spread over the cadence (Frappe Helpdesk hourly, Zendesk
automations about hourly, Chatwoot and ServiceNow about every minute).

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a
server where a throwaway database is created and dropped."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLOCKS = int(os.environ.get("BENCH_CLOCKS", "1000000"))
DUE_TOGETHER = int(os.environ.get("BENCH_DUE", "10000"))
PEER_CADENCES = {"Chatwoot / ServiceNow (~1 min)": 60.0, "Frappe / Zendesk (~1 h)": 3600.0}


def _database_urls() -> tuple[str, str, str]:
    admin = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"pactline_bench_{os.getpid()}"
    parts = urlsplit(admin)
    return admin, name, urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PACTLINE_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()


def _populate(far: datetime) -> None:
    from django.core.management import call_command
    from django.db import connection

    from pactline.cases.tests.fixtures import load_example

    call_command("migrate", verbosity=0)
    version = load_example("general-outsourcing")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (client_id, agreement_version_id, channel, priority, status,
                category, subject, queue, opened_at, updated_at, last_seq)
            SELECT %s, %s, 'email', 'normal', 'open', '', 'bench', '', %s, %s, 1
            FROM generate_series(1, %s)
            """,
            [version.client_id, version.pk, far - timedelta(days=400), far, CLOCKS],
        )
        cursor.execute(
            """
            INSERT INTO cases_slaclock (client_id, case_id, agreement_version_id, key, metric,
                calendar, cycle, state, priority, target_seconds, started_at, consumed_seconds,
                evaluated_at, due_at, next_event_at, schedule, version)
            SELECT c.client_id, c.id, c.agreement_version_id, 'email.first_response',
                'first_response', 'business', 1, 'running', 'normal', 28800, c.opened_at, 0,
                c.opened_at, d.at, d.at,
                jsonb_build_array(jsonb_build_object('kind', 'breach', 'level', 0,
                    'at', to_char(d.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))),
                1
            FROM cases_case c
            CROSS JOIN LATERAL (SELECT %s::timestamptz AS at) d
            """,
            [far],
        )
        cursor.execute("ANALYZE cases_slaclock")
    print(f"populated {CLOCKS:,} clocks in {time.perf_counter() - started:.1f} s")


def _arm(due_at: datetime) -> None:
    """Make every (CLOCKS / DUE_TOGETHER)-th clock fall due at `due_at`; forget earlier runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_slaevent")
        cursor.execute(
            "UPDATE cases_slaclock SET state = 'running', breached_at = NULL, due_at = %s,"
            " next_event_at = %s, schedule = jsonb_build_array(jsonb_build_object('kind',"
            " 'breach', 'level', 0, 'at', to_char(%s AT TIME ZONE 'UTC',"
            ' \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\'))) WHERE case_id %% %s = 0',
            [due_at, due_at, due_at, CLOCKS // DUE_TOGETHER],
        )
        cursor.execute("ANALYZE cases_slaclock")


def _run_loops(loops: int, due_at: datetime, batch: int) -> list[float]:
    from django.db import connections
    from django.utils import timezone

    from pactline.cases.clocks import clocks_fire_due

    latencies: list[float] = []
    lock = threading.Lock()

    def loop() -> None:
        # The loop as `pactline clock` runs it: fire what is due, else sleep briefly.
        deadline = time.time() + 120
        while time.time() < deadline:
            tick = clocks_fire_due(now=timezone.now(), batch=batch)
            committed = datetime.now(UTC)
            with lock:
                latencies.extend(
                    (committed - event.occurred_at).total_seconds() for event in tick.events
                )
                done = len(latencies) >= DUE_TOGETHER
            if tick.clocks:
                continue
            if done or datetime.now(UTC) > due_at + timedelta(seconds=60):
                break
            time.sleep(0.05)
        connections.close_all()

    wait = (due_at - datetime.now(UTC)).total_seconds()
    if wait > 0:
        time.sleep(max(0.0, wait - 1))
    threads = [threading.Thread(target=loop) for _ in range(loops)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    admin, name, url = _database_urls()
    _admin_sql(admin, f"CREATE DATABASE {name}")
    try:
        _setup_django(url)
        _populate(datetime.now(UTC) + timedelta(days=365))
        print(f"{CLOCKS:,} running clocks, {DUE_TOGETHER:,} due at the same second")
        results = {}
        for loops in (1, 2):
            due_at = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
            _arm(due_at)
            latencies = _run_loops(loops, due_at, batch=2000)
            assert len(latencies) == DUE_TOGETHER, (loops, len(latencies))
            results[loops] = latencies
            print(
                f"{loops} loop(s): breach recorded after p50 {_percentile(latencies, 0.5):.2f} s,"
                f" p99 {_percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
                f" (mean {statistics.mean(latencies):.2f} s)"
            )
        p99 = _percentile(results[1], 0.99)
        for peer, cadence in PEER_CADENCES.items():
            print(
                f"vs {peer}: p50 {cadence / 2:.0f} s, p99 {0.99 * cadence:.0f} s"
                f" -> Pactline p99 is {0.99 * cadence / p99:,.0f}x sooner"
            )
        print(f"goal p99 <= 5 s with one loop: {'met' if p99 <= 5 else 'MISSED'}")
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()

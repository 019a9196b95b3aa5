"""Server time of the supervisor wallboard's polled fragment with a month of contacts.

One client (Northwind, America/New_York) with 1,000,000 inbound calls (`--smoke`: 3,000) over
the 30 days up to now, inserted with their facts and rolled up by `rollups_recompute` (as in
`bench/report.py`); 40 calls waiting now, 60 agents' presence changes today and 200 open
cases with running SLA clocks. A supervisor then fetches the tiles fragment
(`/clients/<code>/wallboard/tiles/`, which the page polls every 5 s) through Django's test
client; the timing is the whole request in this process (view, queries, template), median
and best of the rounds, with the number of queries per request.

BENCH_DATABASES (default "sqlite,postgresql") picks the databases. Goal: ≤ 50 ms per poll
(50 supervisors polling every 5 s then cost half a core)."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import (  # noqa: E402
    run_per_database,
    size,
)

CONTACTS = size(1_000_000, 3_000, "BENCH_CONTACTS")
ROUNDS = size(50, 5)
GOAL_MS = 50.0


def _live(client_id: int, now: datetime) -> None:
    """Calls waiting now, agents' presence today, open cases with running clocks."""
    from pactline.cases.services import case_open
    from pactline.channels.voice.models import AgentState, AgentStateChange, Call, CallSource
    from pactline.tenancy.access import system_actor
    from pactline.tenancy.models import Client

    rng = random.Random(5)
    Call.objects.bulk_create(
        Call(
            # Numbered after the month's calls, which `_populate` inserts with their ids.
            id=CONTACTS + 1 + n, client_id=client_id, call_id=f"live-{n}", source=CallSource.QUEUE_LOG,
            queue=rng.choice(("support", "billing", "sales", "tech")),
            entered_at=now - timedelta(seconds=rng.randrange(600)), outcome="in_progress",
            change_seq=10_000_000 + n, created_at=now, updated_at=now,
        )
        for n in range(40)
    )  # fmt: skip
    states = [AgentState.LOGIN, AgentState.PAUSE, AgentState.UNPAUSE, AgentState.LOGOUT]
    AgentStateChange.objects.bulk_create(
        AgentStateChange(
            client_id=client_id, agent=f"PJSIP/{6000 + n % 60}", queue="", source="queue_log",
            state=states[n % 4 if n < 180 else 0], at=now - timedelta(minutes=300 - n),
            change_seq=20_000_000 + n, created_at=now,
        )
        for n in range(240)
    )  # fmt: skip
    client = Client.objects.get(pk=client_id)
    for n in range(200):
        at = now - timedelta(hours=n % 48, minutes=n)
        case_open(
            actor=system_actor("bench"), client=client, channel="email",
            priority=("normal", "high")[n % 2], subject=f"case {n}", at=at, now=now,
        )  # fmt: skip


def child(name: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from report import _populate

    from pactline.cases.tests.fixtures import load_example
    from pactline.tenancy.models import Membership, Role

    client = load_example("general-outsourcing").client
    now = datetime.now(UTC)
    populated = _populate(client.id, now - timedelta(days=30), now, CONTACTS)
    _live(client.id, now)
    user = get_user_model().objects.create_user(username="bench-supervisor")
    Membership.objects.create(user=user, role=Role.SUPERVISOR, client=client)
    http = HttpClient(HTTP_HOST="localhost")
    http.force_login(user)
    url = f"/clients/{client.code}/wallboard/tiles/"
    first = http.get(url)
    assert first.status_code == 200, first.status_code
    timings = []
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    if profile:
        profile.enable()
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = http.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    if profile:
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        for query in queries.captured_queries:
            sys.stderr.write(f"{query['time']} {query['sql'][:300]}\n")
    print(json.dumps({
        "database": name, "contacts": CONTACTS, **populated, "rounds": ROUNDS,
        "median_ms": statistics.median(timings) * 1000, "best_ms": min(timings) * 1000,
        "queries": len(queries), "bytes": len(response.content),
    }))  # fmt: skip


def _report(result: dict[str, object]) -> None:
    def f(key: str) -> float:
        return float(str(result[key]))

    print(f"== {result['database']}")
    print(
        f"{int(f('contacts')):,} calls over 30 days inserted in {f('insert_seconds'):.1f} s,"
        f" rolled up in {f('rollup_seconds'):.1f} s"
    )
    print(
        f"wallboard tiles: median {f('median_ms'):.1f} ms, best {f('best_ms'):.1f} ms over"
        f" {int(f('rounds'))} polls; {int(f('queries'))} queries, {int(f('bytes')):,} bytes"
    )
    print(
        f"ratio to the goal of {GOAL_MS:g} ms: {f('median_ms') / GOAL_MS:.2f}"
        f" ({'met' if f('median_ms') <= GOAL_MS else 'MISSED'})"
    )


def main() -> None:
    run_per_database(__file__, "wallboard", child, _report)


if __name__ == "__main__":
    main()

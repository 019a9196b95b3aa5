"""queue_log import speed and memory, on SQLite and on PostgreSQL, against a naive importer.

Generates BENCH_EVENTS (default 1,000,000) queue_log events with a realistic mix into a
temporary file: answered calls with missed rings, holds and after-call-work pauses, abandons,
timeouts that overflow to another queue, empty-queue and key exits, withdrawals, blind and
attended transfers, DID markers, and agents pausing for breaks. Callers are drawn from a pool
of 150,000 numbers (repeat callers, as in a month of a real programme).

Each database runs in a child process (fresh Django settings): a throwaway SQLite file, and a
throwaway PostgreSQL database created and dropped on BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres). The child imports the whole file with
`pactline import queue-log`'s service and samples its resident memory at every tenth of the
file; then it times a naive importer (per event: one transaction, `get_or_create` the call,
update it, save it with a change number) on the first BENCH_NAIVE_EVENTS (default 5,000)
lines of the same file into another client, and extrapolates that rate.

BENCH_DATABASES=sqlite or =postgresql runs one of the two. The machine's load average is
printed with each result: on a shared machine the wall-clock rate moves with it, the CPU
per event does not."""

from __future__ import annotations

import heapq
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import child_args, database, databases, run_child, setup_django, size  # noqa: E402

EVENTS = size(1_000_000, 5_000, "BENCH_EVENTS")
NAIVE_EVENTS = size(5_000, 200, "BENCH_NAIVE_EVENTS")
START = 1_709_251_200  # 2024-03-01 00:00 UTC
QUEUES = ("support", "billing", "sales", "tech")
AGENTS = tuple(f"PJSIP/{6000 + n}" for n in range(1, 61))
CALLERS = 150_000


def _call_events(rng: random.Random, call_id: str, t: int, caller: str) -> list[tuple[int, str]]:
    """The queue_log lines of one call (a list of (time, line-without-time))."""
    queue = rng.choice(QUEUES)
    out: list[tuple[int, str]] = []

    def add(at: int, q: str, agent: str, event: str, *data: object) -> None:
        out.append((at, "|".join([call_id, q, agent, event, *map(str, data)])))

    if rng.random() < 0.2:
        add(t, queue, "NONE", "DID", f"+1555{rng.randrange(10**7):07d}")
    add(t, queue, "NONE", "ENTERQUEUE", "", caller, rng.randint(1, 6))
    roll = rng.random()
    wait = int(rng.expovariate(1 / 35)) + 1
    for ring in range(rng.choices((0, 1, 2), (60, 30, 10))[0]):
        add(t + min(wait - 1, 15 * (ring + 1)), queue, rng.choice(AGENTS), "RINGNOANSWER", 15000)
    if roll < 0.10:
        add(t + wait, queue, "NONE", "ABANDON", 1, 1, wait)
        return out
    if roll < 0.13:
        add(t + 300, queue, "NONE", "EXITWITHTIMEOUT", 1, 1, 300)
        if rng.random() < 0.5:
            return out
        t, queue, wait = t + 301, rng.choice(QUEUES), rng.randint(1, 60)
        add(t, queue, "NONE", "ENTERQUEUE", "", caller, 1)
    elif roll < 0.14:
        add(t + 2, queue, "NONE", "EXITEMPTY", 1, 1, 2)
        return out
    elif roll < 0.15:
        add(t + wait, queue, "NONE", "EXITWITHKEY", rng.choice("0159"), 1, 1, wait)
        return out
    elif roll < 0.155:
        add(t + wait, queue, "NONE", "WITHDRAW", 1, 1, wait, "callback")
        return out
    agent = rng.choice(AGENTS)
    answered = t + wait
    add(answered, queue, agent, "CONNECT", wait, f"{answered}.{rng.randrange(10**4)}", 3)
    talk = int(rng.lognormvariate(5.3, 0.6)) + 10
    if rng.random() < 0.05:
        add(answered + talk // 3, queue, agent, "HOLD")
        add(answered + talk // 3 + 40, queue, agent, "UNHOLD")
    end = answered + talk
    kind = rng.random()
    if kind < 0.02:
        add(end, queue, agent, "BLINDTRANSFER", "7002", "from-internal", wait, talk, 1)
    elif kind < 0.04:
        add(end, queue, agent, "ATTENDEDTRANSFER", "BRIDGE", f"{end}.9", wait, talk, 1)
    else:
        event = "COMPLETECALLER" if kind < 0.6 else "COMPLETEAGENT"
        add(end, queue, agent, event, wait, talk, 1)
    if rng.random() < 0.35:
        acw = rng.randint(10, 120)
        add(end + 1, "NONE", agent, "PAUSE", "ACW")
        add(end + 1 + acw, "NONE", agent, "UNPAUSE", "ACW")
    return out


def generate(path: Path, events: int, seed: int = 20240301) -> int:
    rng = random.Random(seed)
    callers = [f"1{rng.randrange(201, 990)}{rng.randrange(10**7):07d}" for _ in range(CALLERS)]
    pending: list[tuple[int, int, str]] = []
    written = order = calls = 0
    t = START
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{t}|NONE|NONE|NONE|QUEUESTART|\n")
        written += 1
        while written < events:
            t += int(rng.expovariate(1 / 9)) + 1
            while pending and pending[0][0] <= t and written < events:
                at, _, line = heapq.heappop(pending)
                out.write(f"{at}|{line}\n")
                written += 1
            calls += 1
            for at, line in _call_events(rng, f"{t}.{calls}", t, rng.choice(callers)):
                order += 1
                heapq.heappush(pending, (at, order, line))
            if calls % 400 == 0:
                agent = rng.choice(AGENTS)
                for at, line in (
                    (t, f"NONE|NONE|{agent}|PAUSE|{rng.choice(('Break', 'Lunch', 'Training'))}"),
                    (t + 900, f"NONE|NONE|{agent}|UNPAUSE|"),
                ):
                    order += 1
                    heapq.heappush(pending, (at, order, line))
    return calls


# --- child: one database ------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _naive_import(path: Path, client_id: int, limit: int) -> float:
    """One event at a time through the ORM: the importer one writes first."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.db import transaction
    from django.utils import timezone

    from pactline.audit.sequences import Stream, change_sequence
    from pactline.channels.voice.models import AgentStateChange, Call
    from pactline.channels.voice.queue_log import _AGENT_STATES, parse_line

    zone = ZoneInfo("UTC")
    terminal = {"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"}
    started = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= limit:
                break
            t, call_id, queue, agent, event, data = parse_line(line.rstrip("\n"), zone)
            at = datetime.fromtimestamp(t, UTC)
            now = timezone.now()
            with transaction.atomic():
                sequence = change_sequence(client_id, Stream.VOICE)
                if event in _AGENT_STATES:
                    AgentStateChange.objects.get_or_create(
                        client_id=client_id,
                        agent=agent,
                        queue="" if queue == "NONE" else queue,
                        state=_AGENT_STATES[event],
                        at=at,
                        defaults={
                            "reason": data[0] if data else "",
                            "source": "queue_log",
                            "change_seq": sequence.take(1),
                            "created_at": now,
                        },
                    )
                    continue
                if call_id == "NONE":
                    continue
                call, _created = Call.objects.get_or_create(
                    client_id=client_id,
                    call_id=call_id,
                    segment=1,
                    defaults={
                        "source": "queue_log",
                        "outcome": "in_progress",
                        "change_seq": sequence.take(1),
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                if event == "ENTERQUEUE":
                    call.entered_at, call.queue, call.caller_raw = at, queue, data[1]
                elif event == "CONNECT":
                    call.answered_at, call.wait_seconds, call.agent = at, int(data[0]), agent
                elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
                    call.ended_at, call.talk_seconds, call.outcome = at, int(data[1]), "answered"
                elif event in terminal:
                    call.ended_at, call.outcome = at, "abandoned"
                elif event == "RINGNOANSWER":
                    call.unanswered_rings += 1
                call.change_seq = sequence.take(1)
                call.updated_at = now
                call.save()
    return time.perf_counter() - started


def child(database: str, path: Path) -> None:
    from django.db import connection

    from pactline.channels.voice.importing import ImportOptions, voice_file_import
    from pactline.channels.voice.models import AgentStateChange, Call
    from pactline.tenancy.access import system_actor
    from pactline.tenancy.models import Client

    client = Client.objects.create(code="bench", name="Bench")
    size = path.stat().st_size
    marks: list[float] = []
    next_mark = [size / 10]

    def progress(done: int) -> None:
        if done >= next_mark[0]:
            marks.append(round(_rss_mb(), 1))
            next_mark[0] += size / 10

    base = _rss_mb()
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run = voice_file_import(
        actor=system_actor("bench"),
        client=client,
        options=ImportOptions(path=path, format="queue_log", timezone="America/New_York"),
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    load_after = os.getloadavg()[0]
    calls = Call.objects.filter(client=client).count()
    states = AgentStateChange.objects.filter(client=client).count()
    started = time.perf_counter()
    again = voice_file_import(
        actor=system_actor("bench"),
        client=client,
        options=ImportOptions(path=path, format="queue_log", timezone="America/New_York"),
    )
    reimport = time.perf_counter() - started
    naive_client = Client.objects.create(code="naive", name="Naive")
    naive = _naive_import(path, naive_client.id, NAIVE_EVENTS)
    print(
        json.dumps(
            {
                "database": database,
                "vendor": connection.vendor,
                "lines": run.lines_read,
                "rejected": run.lines_rejected,
                "calls": calls,
                "agent_states": states,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "load": [round(load_before, 2), round(load_after, 2)],
                "reimport_seconds": reimport,
                "reimport_created": again.imported + again.updated,
                "rss_before_mb": round(base, 1),
                "rss_marks_mb": marks,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "naive_events": NAIVE_EVENTS,
                "naive_seconds": naive,
            }
        )
    )


# --- parent ---------------------------------------------------------------------------------


def _report(result: dict[str, object]) -> None:
    lines = int(str(result["lines"]))
    rate = lines / float(str(result["seconds"]))
    naive_rate = int(str(result["naive_events"])) / float(str(result["naive_seconds"]))
    marks = result["rss_marks_mb"]
    print(f"== {result['database']}")
    print(
        f"imported {lines:,} events -> {result['calls']:,} calls, {result['agent_states']:,}"
        f" agent states in {float(str(result['seconds'])):.1f} s: {rate:,.0f} events/s"
    )
    print(
        f"CPU of the importing process: {float(str(result['cpu_seconds'])):.1f} s"
        f" ({float(str(result['cpu_seconds'])) * 1e6 / lines:.1f} µs per event);"
        f" machine load average {result['load']} (2 cores, shared)"
    )
    print(
        f"memory: RSS {result['rss_before_mb']} MB before, at each tenth of the file {marks} MB,"
        f" peak {result['peak_rss_mb']} MB"
    )
    print(
        f"re-import of the same file: {float(str(result['reimport_seconds'])):.1f} s,"
        f" {result['reimport_created']} rows written (idempotent)"
    )
    print(
        f"naive one-row-at-a-time ORM import: {naive_rate:,.0f} events/s (timed on the first"
        f" {int(str(result['naive_events'])):,} events, extrapolated: 1M events in"
        f" {1_000_000 / naive_rate / 60:,.1f} min)"
    )
    print(f"ratio: {rate / naive_rate:,.1f}x faster than the naive import")


def main() -> None:
    args = child_args()
    if args is not None:
        name, path, url, var_dir = args
        setup_django(url or None, var_dir)
        child(name, Path(path))
        return
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    with tempfile.TemporaryDirectory(prefix="pactline-bench-") as tmp:
        path = Path(tmp) / "queue_log"
        started = time.perf_counter()
        calls = generate(path, EVENTS)
        print(
            f"generated {EVENTS:,} queue_log events ({calls:,} calls,"
            f" {path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        results = []
        for kind in databases():
            var_dir = Path(tmp) / kind
            with database(kind, "import", var_dir) as url:
                results.append(
                    run_child(__file__, labels[kind], [str(path), url or "", str(var_dir)])
                )
        for result in results:
            _report(result)
        pg = results[-1]
        if pg["vendor"] == "postgresql":
            rate = int(str(pg["lines"])) / float(str(pg["seconds"]))
            print(f"goal >= 50,000 events/s on PostgreSQL: {'met' if rate >= 50_000 else 'MISSED'}")


if __name__ == "__main__":
    main()

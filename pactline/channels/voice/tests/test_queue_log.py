"""Asterisk queue_log imports: calls, agent states, rejects, strict mode, idempotency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import World
from pactline.channels.voice.importing import ImportRejected
from pactline.channels.voice.models import AgentStateChange, Call, ImportRun
from pactline.channels.voice.selectors import call_list
from pactline.channels.voice.tests.support import (
    FIXTURES,
    SYSTEM,
    at,
    call_defaults,
    calls,
    run_import,
    snapshot,
)

# What tests/fixtures/queue_log holds, call by call (times UTC, 5 March 2024).
EXPECTED: dict[tuple[str, int], dict[str, Any]] = {
    # DID, missed ring (Alice), Bob answers after 18 s, caller hangs up; Bob's ACW pause 60 s
    ("1709647331.18", 1): call_defaults(
        queue="support",
        caller_number="+15551234567",
        caller_raw="15551234567",
        caller_name="Jane Roe",
        dialed_number="+15557654321",
        entered_at=at("14:02:11"),
        answered_at=at("14:02:29"),
        ended_at=at("14:07:40"),
        wait_seconds=18,
        talk_seconds=311,
        acw_seconds=60,
        agent="Bob",
        outcome="answered",
        ended_by="caller",
        unanswered_rings=1,
    ),
    ("1709647395.22", 1): call_defaults(
        queue="support",
        caller_number="+15557654321",
        caller_raw="15557654321",
        entered_at=at("14:03:15"),
        ended_at=at("14:03:32"),
        wait_seconds=17,
        outcome="abandoned",
        ended_by="caller",
    ),
    # times out of support after 300 s, overflows to billing (same uniqueid: a second visit)
    ("1709647500.31", 1): call_defaults(
        queue="support",
        caller_number="+8613800138000",
        caller_raw="+8613800138000",
        entered_at=at("14:05:00"),
        ended_at=at("14:10:00"),
        wait_seconds=300,
        outcome="timeout",
        ended_by="system",
    ),
    # Carol holds 60 s of the 200 s call: talk excludes hold
    ("1709647500.31", 2): call_defaults(
        queue="billing",
        caller_number="+8613800138000",
        caller_raw="+8613800138000",
        entered_at=at("14:10:01"),
        answered_at=at("14:10:11"),
        ended_at=at("14:13:31"),
        wait_seconds=10,
        talk_seconds=140,
        hold_seconds=60,
        agent="Carol",
        outcome="answered",
        ended_by="agent",
    ),
    ("1709648100.50", 1): call_defaults(
        queue="support",
        caller_number="+15551239876",
        caller_raw="5551239876",
        entered_at=at("14:15:00"),
        answered_at=at("14:15:05"),
        ended_at=at("14:17:05"),
        wait_seconds=5,
        talk_seconds=120,
        agent="Alice",
        outcome="answered",
        ended_by="transfer",
        transfer_count=1,
        transfer_targets=["7002@from-internal"],
    ),
    ("1709648300.60", 1): call_defaults(
        queue="billing",
        caller_number="+15550001111",
        caller_raw="15550001111",
        entered_at=at("14:18:20"),
        answered_at=at("14:18:50"),
        ended_at=at("14:21:20"),
        wait_seconds=30,
        talk_seconds=150,
        agent="Carol",
        outcome="answered",
        ended_by="transfer",
        transfer_count=1,
        transfer_targets=["BRIDGE:1709648400.70"],
    ),
    ("1709648500.80", 1): call_defaults(
        queue="support",
        caller_number="+15550002222",
        caller_raw="15550002222",
        entered_at=at("14:21:40"),
        ended_at=at("14:21:45"),
        wait_seconds=5,
        outcome="exit_empty",
        ended_by="system",
    ),
    ("1709648600.90", 1): call_defaults(
        queue="support",
        caller_number="+15550003333",
        caller_raw="15550003333",
        entered_at=at("14:23:20"),
        ended_at=at("14:24:00"),
        wait_seconds=40,
        outcome="exit_key",
        ended_by="caller",
        details={"exit_key": "5"},
    ),
    ("1709648610.91", 1): call_defaults(
        queue="support",
        caller_number="+15550005555",
        caller_raw="15550005555",
        entered_at=at("14:23:30"),
        ended_at=at("14:23:40"),
        wait_seconds=10,
        outcome="withdrawn",
        ended_by="system",
    ),
    # connected, not completed when the file ends
    ("1709649000.95", 1): call_defaults(
        queue="support",
        caller_number="+15550004444",
        caller_raw="15550004444",
        entered_at=at("14:30:00"),
        answered_at=at("14:30:20"),
        wait_seconds=20,
        agent="Alice",
    ),
}

EXPECTED_STATES = [
    ("Agent/1001", "", "login", at("13:56:45"), "PJSIP/1001-00000001", "NONE"),
    ("Alice", "support", "member_added", at("13:56:50"), "", "MANAGER"),
    ("Bob", "support", "member_added", at("13:56:51"), "", "MANAGER"),
    ("Carol", "billing", "member_added", at("13:56:52"), "PAUSED", "REALTIME"),
    ("Alice", "support", "penalty", at("13:56:55"), "2", "MANAGER"),
    ("Bob", "support", "pause", at("14:07:41"), "ACW", "NONE"),
    ("Bob", "support", "unpause", at("14:08:41"), "ACW", "NONE"),
    ("Alice", "support", "pause", at("14:25:00"), "Lunch", "NONE"),
    ("Alice", "support", "unpause", at("14:26:00"), "", "NONE"),
    ("Bob", "", "pause_all", at("14:26:40"), "Training", "NONE"),
    ("Bob", "", "unpause_all", at("14:28:20"), "", "NONE"),
    ("Bob", "support", "member_removed", at("14:29:10"), "", "MANAGER"),
    ("Agent/1001", "", "logout", at("14:31:40"), "PJSIP/1001-00000001", "NONE"),
]

EXPECTED_REJECTS = [
    (12, "CONNECT data1 must be a whole number of at most 9 digits, found 'abc'"),
    (16, "expected at least 5 fields (time|callid|queue|agent|event), found 1"),
    (24, "PAUSE needs an agent"),
    (46, "the time 99999999999 is out of range"),
    (48, "not valid utf-8"),
]


def _states(client: Any) -> list[tuple[Any, ...]]:
    return list(
        AgentStateChange.objects.filter(client=client)
        .order_by("change_seq")
        .values_list("agent", "queue", "state", "at", "reason", "origin")
    )


def test_the_fixture_becomes_these_calls_and_agent_states(world: World, tmp_path: Path) -> None:
    run = run_import(world.client_a, "queue_log", reject_path=tmp_path / "rejects")
    assert calls(world.client_a) == EXPECTED
    assert _states(world.client_a) == EXPECTED_STATES
    assert (run.status, run.lines_read, run.lines_rejected, run.lines_ignored) == (
        "finished",
        49,
        5,
        3,  # QUEUESTART, RINGCANCELED, CONFIGRELOAD
    )
    assert (run.imported, run.updated, run.duplicates) == (23, 0, 0)
    assert run.counts == {
        "calls": {"created": 10, "updated": 0, "unchanged": 0},
        "agent_states": {"created": 13, "updated": 0, "unchanged": 0},
    }
    assert [(e["line"], e["message"]) for e in run.errors] == EXPECTED_REJECTS
    assert len(run.sha256) == 64
    assert Call.objects.filter(client=world.client_b).count() == 0


def test_the_reject_file_holds_each_bad_line_after_its_reason(world: World, tmp_path: Path) -> None:
    run = run_import(world.client_a, "queue_log", reject_path=tmp_path / "bad.log")
    assert run.reject_path == str(tmp_path / "bad.log")
    assert (tmp_path / "bad.log").read_bytes() == (
        b"# line 12: CONNECT data1 must be a whole number of at most 9 digits, found 'abc'\n"
        b"1709647350|1709647331.99|support|Bob|CONNECT|abc|1709647343.21|6\n"
        b"# line 16: expected at least 5 fields (time|callid|queue|agent|event), found 1\n"
        b"this line is not a queue_log line\n"
        b"# line 24: PAUSE needs an agent\n"
        b"1709647860|NONE|support|NONE|PAUSE|Break\n"
        b"# line 46: the time 99999999999 is out of range\n"
        b"99999999999|1709649001.96|support|NONE|ENTERQUEUE||15550006666|1\n"
        b"# line 48: not valid utf-8\n"
        b"1709649050|1709649000.95|support|Alice|INFO|caller name Jos\xe9\n"
    )


def test_the_reject_file_defaults_to_var_imports(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    run = run_import(world.client_a, "queue_log")
    assert Path(run.reject_path).parent == tmp_path / "imports"
    assert Path(run.reject_path).name.endswith("-client-a-queue_log.rejects")


def test_importing_the_same_file_again_changes_nothing(world: World, tmp_path: Path) -> None:
    run_import(world.client_a, "queue_log", reject_path=tmp_path / "r1")
    before = snapshot()
    again = run_import(world.client_a, "queue_log", reject_path=tmp_path / "r2")
    assert snapshot() == before
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 23)
    assert ImportRun.objects.count() == 2


def test_a_file_without_bad_lines_writes_no_reject_file(world: World, tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.write_bytes(
        b"".join(
            line + b"\n"
            for number, line in enumerate((FIXTURES / "queue_log").read_bytes().splitlines(), 1)
            if number not in {12, 16, 24, 46, 48}
        )
    )
    run = run_import(world.client_a, str(good), reject_path=tmp_path / "rejects")
    assert (run.lines_rejected, run.reject_path, run.errors) == (0, "", [])
    assert not (tmp_path / "rejects").exists()
    assert calls(world.client_a) == EXPECTED


def test_strict_writes_nothing_when_a_line_is_bad(world: World, tmp_path: Path) -> None:
    before = snapshot()
    with pytest.raises(ImportRejected) as rejected:
        run_import(world.client_a, "queue_log", strict=True, reject_path=tmp_path / "r")
    assert snapshot() == before
    assert ImportRun.objects.count() == 0
    assert rejected.value.rejected == 5
    assert [(e.line, e.message) for e in rejected.value.errors] == EXPECTED_REJECTS
    assert (tmp_path / "r").read_bytes().count(b"# line ") == 5


def test_strict_imports_a_clean_file(world: World, tmp_path: Path) -> None:
    good = tmp_path / "good"
    lines = (FIXTURES / "queue_log").read_bytes().splitlines()
    good.write_bytes(b"\n".join(lines[:11] + lines[12:15] + lines[16:23] + lines[24:45]) + b"\n")
    run = run_import(world.client_a, str(good), strict=True)
    assert run.strict and run.lines_rejected == 0
    assert Call.objects.filter(client=world.client_a).count() == 10


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7])
def test_calls_spanning_batches_are_assembled_the_same(
    world: World, tmp_path: Path, batch_size: int
) -> None:
    run_import(world.client_a, "queue_log", batch_size=batch_size, reject_path=tmp_path / "r")
    assert calls(world.client_a) == EXPECTED
    assert _states(world.client_a) == EXPECTED_STATES


def test_a_call_continued_in_the_next_file_is_completed(world: World, tmp_path: Path) -> None:
    """Log rotation: the file ends while 1709649000.95 is connected; the next file ends it,
    and Alice's ACW pause follows."""
    run_import(world.client_a, "queue_log", reject_path=tmp_path / "r")
    first = Call.objects.get(client=world.client_a, call_id="1709649000.95")
    nxt = tmp_path / "queue_log.1"
    nxt.write_text(
        "1709649200|1709649000.95|support|Alice|COMPLETEAGENT|20|180|1\n"
        "1709649205|NONE|support|Alice|PAUSE|Wrap-up\n"
        "1709649245|NONE|support|Alice|UNPAUSE|\n"
    )
    run = run_import(world.client_a, str(nxt))
    assert run.counts["calls"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert calls(world.client_a)[("1709649000.95", 1)] == EXPECTED[("1709649000.95", 1)] | {
        "ended_at": at("14:33:20"),
        "talk_seconds": 180,
        "acw_seconds": 40,
        "outcome": "answered",
        "ended_by": "agent",
    }
    later = Call.objects.get(client=world.client_a, call_id="1709649000.95")
    assert later.change_seq > first.change_seq
    # the older file again: nothing reopens
    again = run_import(world.client_a, "queue_log", reject_path=tmp_path / "r2")
    assert again.counts["calls"] == {"created": 0, "updated": 0, "unchanged": 10}


def test_a_call_seen_only_from_its_connect_gets_its_entry_from_the_wait(world: World) -> None:
    run_import(world.client_a, "queue_log_tail")
    assert calls(world.client_a) == {
        ("1709640000.1", 1): call_defaults(
            queue="sales",
            entered_at=at("12:00:00"),
            answered_at=at("12:00:25"),
            ended_at=at("12:05:25"),
            wait_seconds=25,
            talk_seconds=300,
            agent="Dan",
            outcome="answered",
            ended_by="caller",
        ),
        ("1709640100.2", 1): call_defaults(
            queue="sales",
            entered_at=at("12:01:30"),
            ended_at=at("12:01:52"),
            wait_seconds=22,
            outcome="abandoned",
            ended_by="caller",
        ),
    }


def test_calls_read_by_cursor_come_in_change_order(world: World, tmp_path: Path) -> None:
    run_import(world.client_a, "queue_log", reject_path=tmp_path / "r")
    seqs = [c.change_seq for c in call_list(actor=SYSTEM, client=world.client_a, limit=1000)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 10
    states = list(
        AgentStateChange.objects.filter(client=world.client_a).values_list("change_seq", flat=True)
    )
    assert not set(seqs) & set(states)
    page = list(call_list(actor=SYSTEM, client=world.client_a, after=seqs[4], limit=3))
    assert [c.change_seq for c in page] == seqs[5:8]


def test_an_unknown_time_zone_is_refused(world: World) -> None:
    from pactline.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as invalid:
        run_import(world.client_a, "queue_log", timezone="Mars/Olympus")
    assert [(e.path, e.message) for e in invalid.value.errors] == [
        ("timezone", "unknown time zone 'Mars/Olympus'")
    ]


def test_numbers_too_large_for_the_database_are_bad_lines(world: World, tmp_path: Path) -> None:
    log = tmp_path / "huge"
    log.write_text(
        "1709647331|1.1|support|NONE|ENTERQUEUE||15551234567|1\n"
        "1709647349|1.1|support|Bob|CONNECT|99999999999999999999|1.2|6\n"
        "1709647660|1.1|support|Bob|COMPLETECALLER|18|3111111111|1\n"
    )
    run = run_import(world.client_a, str(log), reject_path=tmp_path / "r")
    assert [e["line"] for e in run.errors] == [2, 3]
    assert calls(world.client_a)[("1.1", 1)]["outcome"] == "in_progress"

"""CDR imports: Asterisk Master.csv, FreeSWITCH CSV and JSON; legs grouped into calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import World
from pactline.channels.voice.importing import ImportRejected
from pactline.channels.voice.models import CallLeg
from pactline.channels.voice.tests.support import (
    at,
    call_defaults,
    calls,
    run_import,
    snapshot,
)

ASTERISK = {
    # Answer() before Queue(): the trunk answer is the CDR's answer (reference §3.1)
    ("1709647331.18", 1): call_defaults(
        source="cdr-asterisk",
        queue="7000",
        caller_number="+15551234567",
        caller_raw="15551234567",
        caller_name="Jane Roe",
        dialed_number="7000",
        entered_at=at("14:02:11"),
        answered_at=at("14:02:11"),
        ended_at=at("14:07:40"),
        talk_seconds=329,
        agent="6001",  # behind the Local channel
        outcome="answered",
        details={"legs": 2, "dispositions": ["ANSWERED"]},
    ),
    ("1709647395.22", 1): call_defaults(
        source="cdr-asterisk",
        queue="7000",
        caller_number="+15557654321",
        caller_raw="15557654321",
        caller_name="ACME CUST",
        dialed_number="7000",
        entered_at=at("14:03:15"),
        ended_at=at("14:03:32"),
        wait_seconds=17,
        outcome="no_answer",
        details={"legs": 1, "dispositions": ["NO ANSWER"]},
    ),
    ("1709647800.30", 1): call_defaults(
        source="cdr-asterisk",
        direction="outbound",
        caller_raw="6002",  # an extension: not a phone number
        caller_name="Agent Two",
        dialed_number="15559876543",
        entered_at=at("14:10:00"),
        ended_at=at("14:10:05"),
        wait_seconds=5,
        outcome="busy",
        details={"legs": 1, "dispositions": ["BUSY"]},
    ),
    # answered by 6001, transferred to 6003: two CDRs, one uniqueid, two sequences
    ("1709648400.40", 1): call_defaults(
        source="cdr-asterisk",
        queue="7000",
        caller_number="+15550001111",
        caller_raw="15550001111",
        caller_name="Bo Li",
        dialed_number="7000",
        entered_at=at("14:20:00"),
        answered_at=at("14:20:30"),
        ended_at=at("14:30:04"),
        wait_seconds=30,
        talk_seconds=574,
        agent="6001",
        outcome="answered",
        transfer_count=1,
        transfer_targets=["6003"],
        details={"legs": 2, "dispositions": ["ANSWERED"]},
    ),
    ("1709649600.46", 1): call_defaults(
        source="cdr-asterisk",
        queue="7000",
        caller_number="+15551112222",
        caller_raw="15551112222",
        caller_name="Ann Lee",
        dialed_number="7000",
        entered_at=at("14:40:00"),
        answered_at=at("14:40:45"),
        ended_at=at("14:44:45"),
        wait_seconds=45,
        talk_seconds=240,
        agent="6002",
        outcome="answered",
        details={"legs": 1, "dispositions": ["ANSWERED"]},
    ),
}


def _errors(run: Any) -> list[tuple[int, str]]:
    return [(error["line"], error["message"]) for error in run.errors]


def test_asterisk_master_csv(world: World, tmp_path: Path) -> None:
    run = run_import(world.client_a, "Master.csv", "asterisk", reject_path=tmp_path / "r")
    assert calls(world.client_a) == ASTERISK
    assert _errors(run) == [
        (4, "expected 16, 17, 18 or 21 columns, found 9"),
        (7, "start is empty"),
        (9, "unknown disposition 'MAYBE'"),
        (10, "duration must be a whole number of seconds, found 'ten'"),
        (11, "start '2024-13-45 99:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'"),
        (12, "not a CSV record: ',' expected after '\"'"),
    ]
    assert run.counts == {
        "calls": {"created": 5, "updated": 0, "unchanged": 0},
        "legs": {"created": 7, "updated": 0, "unchanged": 0},
    }
    legs = dict(CallLeg.objects.values_list("leg_key", "call__call_id"))
    assert legs["1709647343.20:2"] == "1709647331.18"  # the Local;2 leg, by linkedid
    assert legs["1709648400.40:6"] == "1709648400.40"


def test_asterisk_reimport_changes_nothing(world: World, tmp_path: Path) -> None:
    run_import(world.client_a, "Master.csv", "asterisk", reject_path=tmp_path / "r")
    before = snapshot()
    again = run_import(world.client_a, "Master.csv", "asterisk", reject_path=tmp_path / "r2")
    assert snapshot() == before
    assert again.counts == {"legs": {"created": 0, "updated": 0, "unchanged": 7}}


@pytest.mark.parametrize("batch_size", [1, 2])
def test_legs_in_different_batches_make_the_same_calls(
    world: World, tmp_path: Path, batch_size: int
) -> None:
    run_import(
        world.client_a, "Master.csv", "asterisk", batch_size=batch_size, reject_path=tmp_path / "r"
    )
    assert calls(world.client_a) == ASTERISK


def test_asterisk_default_columns_and_unlinked_local_legs(world: World) -> None:
    """16 columns (no uniqueid): legs are keyed by their content; a Local-channel leg that no
    linkedid ties to a call is kept but makes no call of its own."""
    run = run_import(world.client_a, "Master-basic.csv", "asterisk", timezone="UTC")
    assert run.counts["legs"]["created"] == 3
    stored = calls(world.client_a)
    assert len(stored) == 2
    assert stored[("1709647395.22", 1)]["outcome"] == "no_answer"
    local = CallLeg.objects.get(is_local=True)
    assert local.call_id is None and local.leg_key.startswith("sha1:")


def test_strict_cdr_writes_nothing(world: World, tmp_path: Path) -> None:
    before = snapshot()
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            world.client_a, "Master.csv", "asterisk", strict=True, reject_path=tmp_path / "r"
        )
    assert rejected.value.rejected == 6
    assert snapshot() == before


FREESWITCH_CSV = {
    # A-leg and its B-leg (legs=ab), grouped by bleg_uuid; local times in Shanghai
    ("7f1c2d1e-9a51-4c0e-8f43-2b6a1f0e9c11", 1): call_defaults(
        source="cdr-freeswitch",
        caller_number="+15551234567",
        caller_raw="+15551234567",
        caller_name="Jane Roe",
        dialed_number="3000",
        entered_at=at("14:02:11"),
        answered_at=at("14:02:29"),
        ended_at=at("14:07:40"),
        wait_seconds=18,
        talk_seconds=311,
        outcome="answered",
        details={"legs": 2, "dispositions": ["NORMAL_CLEARING"]},
    ),
    ("2c9e6f1a-1b2c-4d3e-8f4a-5b6c7d8e9f01", 1): call_defaults(
        source="cdr-freeswitch",
        caller_number="+8613800138000",  # no +: read in the zone's country (CN)
        caller_raw="8613800138000",
        caller_name="李波",
        dialed_number="3000",
        entered_at=at("14:10:00"),
        ended_at=at("14:10:20"),
        wait_seconds=20,
        outcome="cancelled",
        details={"legs": 1, "dispositions": ["ORIGINATOR_CANCEL"]},
    ),
    ("5f2b9c4d-4e5f-4a6b-9c7d-8e9f0a1b2c34", 1): call_defaults(
        source="cdr-freeswitch",
        caller_number="+8613900139000",
        caller_raw="13900139000",
        caller_name="Ann Lee",
        dialed_number="3000",
        entered_at=at("14:16:00"),
        ended_at=at("14:16:30"),
        wait_seconds=30,
        outcome="no_answer",
        details={"legs": 1, "dispositions": ["NO_ANSWER"]},
    ),
}


def test_freeswitch_csv(world: World, tmp_path: Path) -> None:
    run = run_import(
        world.client_a,
        "freeswitch.csv",
        "freeswitch-csv",
        timezone="Asia/Shanghai",
        reject_path=tmp_path / "r",
    )
    assert calls(world.client_a) == FREESWITCH_CSV
    assert _errors(run) == [
        (4, "expected 15 columns (example template) or 18 (asterisk template), found 14"),
        (5, "uuid is empty"),
        (6, "billsec must be a whole number of seconds, found '3x'"),
    ]


def test_a_b_leg_stored_before_its_a_leg_is_moved_to_the_a_legs_call(
    world: World, tmp_path: Path
) -> None:
    lines = (Path(__file__).parent / "fixtures" / "freeswitch.csv").read_text().splitlines()
    b_leg, a_leg = tmp_path / "b.csv", tmp_path / "a.csv"
    b_leg.write_text(lines[1] + "\n")
    a_leg.write_text(lines[0] + "\n")
    run_import(world.client_a, str(b_leg), "freeswitch-csv", timezone="Asia/Shanghai")
    assert list(calls(world.client_a)) == [("0b7e4a52-3c8d-4f1b-9d2e-5a6b7c8d9e0f", 1)]
    run_import(world.client_a, str(a_leg), "freeswitch-csv", timezone="Asia/Shanghai")
    stored = calls(world.client_a)
    a_key = ("7f1c2d1e-9a51-4c0e-8f43-2b6a1f0e9c11", 1)
    assert stored[a_key] == FREESWITCH_CSV[a_key]
    assert stored[("0b7e4a52-3c8d-4f1b-9d2e-5a6b7c8d9e0f", 1)] == call_defaults(
        source="cdr-freeswitch",
        outcome="merged",
        details={"merged_into": "7f1c2d1e-9a51-4c0e-8f43-2b6a1f0e9c11"},
    )
    assert set(CallLeg.objects.values_list("call__call_id", flat=True)) == {a_key[0]}


RECORDING = "/var/lib/freeswitch/recordings/2024/03/05/a1b2c3d4-0000-4000-8000-000000000001.wav"
FREESWITCH_JSON = {
    # mod_callcenter: the queue's join/answer times, not the channel's
    ("a1b2c3d4-0000-4000-8000-000000000001", 1): call_defaults(
        source="cdr-freeswitch",
        queue="support@default",
        caller_number="+15551234567",
        caller_raw="+15551234567",
        caller_name="Jane Roe",
        dialed_number="3000",
        entered_at=at("14:02:11"),
        answered_at=at("14:02:29"),
        ended_at=at("14:07:40"),
        wait_seconds=18,
        talk_seconds=311,
        agent="1001",
        outcome="answered",
        recording_path=RECORDING,
        details={"legs": 2, "dispositions": ["NORMAL_CLEARING"]},
    ),
    ("a1b2c3d4-0000-4000-8000-000000000003", 1): call_defaults(
        source="cdr-freeswitch",
        queue="support@default",
        caller_number="+15557654321",
        caller_raw="+15557654321",
        caller_name="ACME CUST",
        dialed_number="3000",
        entered_at=at("14:03:15"),
        ended_at=at("14:03:32"),
        wait_seconds=17,
        outcome="abandoned",
        ended_by="caller",
        details={"legs": 1, "dispositions": ["NORMAL_CLEARING"]},
    ),
    ("a1b2c3d4-0000-4000-8000-000000000004", 1): call_defaults(
        source="cdr-freeswitch",
        queue="support@default",
        caller_number="+8613800138000",
        caller_raw="+8613800138000",
        caller_name="Bo Li",
        dialed_number="3000",
        entered_at=at("14:05:00"),
        ended_at=at("14:10:00"),
        wait_seconds=300,
        outcome="timeout",
        ended_by="system",
        details={"legs": 1, "dispositions": ["NORMAL_CLEARING"]},
    ),
}


def test_freeswitch_json_lines(world: World, tmp_path: Path) -> None:
    run = run_import(
        world.client_a, "freeswitch.ndjson", "freeswitch-json", reject_path=tmp_path / "r"
    )
    assert calls(world.client_a) == FREESWITCH_JSON
    assert _errors(run) == [
        (4, "not JSON: Expecting value"),
        (6, "a JSON CDR is an object with a 'variables' object"),
        (7, "variables.start_epoch must be epoch seconds, found 'abc'"),
        (8, "variables.uuid is missing"),
    ]
    agent_leg = CallLeg.objects.get(leg_key="a1b2c3d4-0000-4000-8000-000000000002")
    assert agent_leg.call is not None
    assert agent_leg.call.call_id == "a1b2c3d4-0000-4000-8000-000000000001"


def test_freeswitch_json_single_document(world: World) -> None:
    run = run_import(world.client_a, "freeswitch-single.json", "freeswitch-json")
    assert (run.lines_read, run.lines_rejected) == (1, 0)
    assert calls(world.client_a) == {
        ("b0000000-0000-4000-8000-000000000009", 1): call_defaults(
            source="cdr-freeswitch",
            caller_number="+442071838750",
            caller_raw="+442071838750",
            caller_name="Solo",
            dialed_number="3000",
            entered_at=at("14:46:40"),
            answered_at=at("14:46:42"),
            ended_at=at("14:47:42"),
            wait_seconds=2,
            talk_seconds=60,
            outcome="answered",
            details={"legs": 1, "dispositions": ["NORMAL_CLEARING"]},
        )
    }


def test_queue_log_wins_over_cdr_for_the_same_call(world: World, tmp_path: Path) -> None:
    """queue_log has the agent pickup; the CDR's trunk answer only fills what it lacks."""
    run_import(world.client_a, "queue_log", reject_path=tmp_path / "r")
    run_import(world.client_a, "Master.csv", "asterisk", reject_path=tmp_path / "r2")
    call = calls(world.client_a)[("1709647331.18", 1)]
    assert (call["source"], call["answered_at"], call["wait_seconds"], call["agent"]) == (
        "queue_log",
        at("14:02:29"),
        18,
        "Bob",
    )
    assert call["details"] == {"legs": 2, "dispositions": ["ANSWERED"]}

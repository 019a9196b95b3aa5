"""Staffed time from agent states, and occupancy from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.channels.voice.importing import ImportOptions, voice_file_import
from pactline.core.kpi import occupancy
from pactline.metrics.consumer import consume_all
from pactline.metrics.selectors import Filter, measured_between, measured_by_interval
from pactline.metrics.tests.support import SYSTEM

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _line(minutes: int, call_id: str, event: str, *data: object) -> str:
    at = int((T + timedelta(minutes=minutes)).timestamp())
    return "|".join([str(at), call_id, "support", "Alice", event, *map(str, data)])


def _import(tmp_path: Path, name: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    voice_file_import(
        actor=SYSTEM,
        client=northwind(),
        options=ImportOptions(path=path, format="queue_log", timezone="UTC"),
    )


def test_staffed_seconds_by_interval_and_occupancy(tmp_path: Path) -> None:
    client = northwind()
    _import(
        tmp_path,
        "states",
        [
            _line(0, "MANAGER", "ADDMEMBER", ""),
            _line(20, "NONE", "PAUSE", "lunch"),
            _line(50, "NONE", "UNPAUSE", "lunch"),
            _line(70, "MANAGER", "REMOVEMEMBER", ""),
        ],
    )
    consume_all()
    by_interval = measured_by_interval(client.id, T, T + timedelta(hours=2))
    staffed = {at.strftime("%H:%M"): m.measures.staffed_seconds for at, m in by_interval.items()}
    assert staffed == {"14:00": 900, "14:15": 300, "14:45": 600, "15:00": 600}
    # A call handled in the first stretch: 600 s of handle time over 2400 s staffed.
    start = int(T.timestamp()) + 60
    _import(
        tmp_path,
        "call",
        [
            f"{start}|c1|support|NONE|ENTERQUEUE||15551230000|1",
            f"{start + 10}|c1|support|Alice|CONNECT|10|x|2",
            f"{start + 610}|c1|support|Alice|COMPLETECALLER|10|600|1",
        ],
    )
    consume_all()
    alice = measured_between(client.id, T, T + timedelta(hours=2), Filter(agents=("Alice",)))
    assert (alice.measures.staffed_seconds, alice.measures.talk_seconds) == (2400, 600)
    assert occupancy(alice.measures).value == 25


def test_a_late_state_replays_the_agent(tmp_path: Path) -> None:
    client = northwind()
    _import(
        tmp_path,
        "a",
        [_line(0, "MANAGER", "ADDMEMBER", ""), _line(60, "MANAGER", "REMOVEMEMBER", "")],
    )
    consume_all()
    window = (T, T + timedelta(hours=2))
    assert measured_between(client.id, *window).measures.staffed_seconds == 3600
    # A pause logged by the PBX in the middle arrives later and cuts the stretch in two.
    _import(tmp_path, "b", [_line(10, "NONE", "PAUSE", "break"), _line(25, "NONE", "UNPAUSE", "")])
    consume_all()
    assert measured_between(client.id, *window).measures.staffed_seconds == 2700


def test_an_open_stretch_counts_once_it_closes(tmp_path: Path) -> None:
    client = northwind()
    window = (T, T + timedelta(hours=2))
    _import(tmp_path, "a", [_line(0, "MANAGER", "ADDMEMBER", "")])
    consume_all()
    assert measured_between(client.id, *window).measures.staffed_seconds == 0
    _import(tmp_path, "b", [_line(30, "NONE", "PAUSE", "")])
    consume_all()
    assert measured_between(client.id, *window).measures.staffed_seconds == 1800

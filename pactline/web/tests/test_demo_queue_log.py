"""The demo's queue_log generator: valid lines, a realistic mix, reproducible per day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pactline.channels.voice.queue_log import QueueLogAssembler, parse_line
from pactline.core.calendar import BusinessCalendar
from pactline.web.demo.queue_log import Programme, Queue, Stats, queue_log_write
from pactline.web.demo.voice import call_window

ZONE = "America/New_York"
WEEKDAYS = {day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
# Thursday 19 November 2026, 18:00 in New York: the day is cut at "now".
NOW = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)


def _programme() -> Programme:
    return Programme(
        code="test",
        calendar=BusinessCalendar.from_spec({"timezone": ZONE, "hours": WEEKDAYS}),
        queues=(Queue("support", 0.7, 240), Queue("billing", 0.3, 300)),
        agents=tuple(f"Agent {n}" for n in range(1, 11)),
        dids=("+18005550199",),
        caller=lambda rng: f"212555{rng.randrange(10_000):04d}",
        daily_calls=250,
        critical=BusinessCalendar.from_spec({"timezone": ZONE, "hours": "24/7"}),
        critical_queue=Queue("critical", 0, 300),
        critical_daily=6,
        night_agent="Night Desk",
    )


def _write(tmp_path: Path, name: str, first: date, last: date) -> tuple[Path, Stats]:
    path = tmp_path / name
    stats = queue_log_write(_programme(), path, first=first, last=last, now=NOW, threshold=20)
    return path, stats


def _events(path: Path) -> list[tuple[int, str, str, str, str, list[str]]]:
    zone = ZoneInfo(ZONE)
    return [parse_line(line.rstrip("\n"), zone) for line in path.open(encoding="utf-8")]


def test_every_line_parses_and_folds_into_the_calls_written(tmp_path: Path) -> None:
    path, stats = _write(tmp_path, "queue_log", date(2026, 11, 16), date(2026, 11, 19))
    events = _events(path)
    assert all(event[0] <= NOW.timestamp() for event in events)
    assembler = QueueLogAssembler(region="US")
    for event in events:
        assembler.feed(event)
    assembler.finish()
    calls = assembler.take_calls()
    assert len(calls) == stats.calls
    assert {call.outcome for call in calls} >= {"answered", "abandoned"}
    assert "in_progress" not in {call.outcome for call in calls}  # only finished calls
    answered = [call for call in calls if call.outcome == "answered"]
    assert stats.answered == len(answered)
    assert stats.within == sum(1 for call in answered if (call.wait_seconds or 0) <= 20)
    assert sum(1 for call in answered if call.acw_seconds) > len(answered) / 2
    assert any(call.hold_seconds for call in answered)
    assert any(call.unanswered_rings for call in calls)
    assert any(call.transfer_count for call in calls)
    assert any(call.queue == "critical" and call.agent == "Night Desk" for call in calls)
    kinds = {event[4] for event in events}
    assert {"ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "DID", "RINGNOANSWER"} <= kinds
    reasons = {event[5][0] for event in events if event[4] == "PAUSE"}
    assert {"ACW", "Break", "Lunch"} <= reasons
    # Four weekdays of 200-300 calls (Thursday cut at 18:00), most answered within 20 s.
    assert 700 < stats.calls < 1200
    assert 0.8 < stats.within / stats.answered < 1
    assert stats.short_abandons > 0


def test_a_day_is_the_same_whatever_the_window(tmp_path: Path) -> None:
    short, _stats = _write(tmp_path, "short", date(2026, 11, 18), date(2026, 11, 19))
    long, _stats = _write(tmp_path, "long", date(2026, 11, 2), date(2026, 11, 19))
    # From 01:00 local on the first day: the night before may run a few minutes past midnight.
    since = datetime(2026, 11, 18, 6, 0, tzinfo=UTC).timestamp()

    def tail(path: Path) -> list[str]:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if int(line.split("|")[0]) >= since]

    assert tail(short) == tail(long)
    assert _write(tmp_path, "again", date(2026, 11, 18), date(2026, 11, 19))[0].read_bytes() == (
        short.read_bytes()
    )


def test_the_window_is_last_month_and_this_month_to_date_in_the_clients_zone() -> None:
    # 01:30 on 1 December in Adelaide is still 30 November in UTC.
    at = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert call_window("Australia/Adelaide", at, None) == (date(2026, 11, 1), date(2026, 12, 1))
    assert call_window("America/New_York", at, None) == (date(2026, 10, 1), date(2026, 11, 30))
    assert call_window("America/New_York", at, 2) == (date(2026, 11, 29), date(2026, 11, 30))


def test_callers_come_from_a_fixed_pool_so_some_call_again(tmp_path: Path) -> None:
    path, _stats = _write(tmp_path, "queue_log", date(2026, 11, 16), date(2026, 11, 19))
    callers = [event[5][1] for event in _events(path) if event[4] == "ENTERQUEUE"]
    assert len(set(callers)) < len(callers)

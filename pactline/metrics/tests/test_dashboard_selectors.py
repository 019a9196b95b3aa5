"""Dashboard reads: local days and hours in 30- and 45-minute offset zones and across DST,
figures from rollups, live queue state, agents, clocks at risk, and display rounding."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import World
from pactline.cases.services import case_open
from pactline.channels.voice.models import AgentState
from pactline.metrics import dashboards
from pactline.metrics.tests.support import SYSTEM, CallSpec
from pactline.metrics.tests.test_dashboard_support import (
    NOW,
    agent_state,
    calls_today,
    import_and_consume,
    live_call,
    load_in_zone,
)
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Local days and hours (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "intervals", "first", "last"),
    [
        (date(2026, 3, 8), 92, utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 3, 45)),  # 23 h
        (date(2026, 3, 9), 96, utc(2026, 3, 9, 4, 0), utc(2026, 3, 10, 3, 45)),
        (date(2026, 11, 1), 100, utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 4, 45)),  # 25 h
    ],
)
def test_a_new_york_day_is_92_96_or_100_intervals(
    day: date, intervals: int, first: datetime, last: datetime
) -> None:
    starts = dashboards.day_intervals(day, NEW_YORK)
    assert len(starts) == intervals
    assert (starts[0], starts[-1]) == (first, last)
    assert all(b - a == timedelta(minutes=15) for a, b in pairwise(starts))


def test_local_hours_skip_the_missing_hour_and_repeat_the_doubled_one() -> None:
    spring = dashboards.local_hours(date(2026, 3, 8), NEW_YORK)
    assert len(spring) == 23
    assert [hour.label for hour in spring[:4]] == [
        "00:00 EST",
        "01:00 EST",
        "03:00 EDT",
        "04:00 EDT",
    ]
    assert spring[2].start == utc(2026, 3, 8, 7, 0)
    assert all(len(hour.intervals) == 4 for hour in spring)
    autumn = dashboards.local_hours(date(2026, 11, 1), NEW_YORK)
    assert len(autumn) == 25
    assert [hour.label for hour in autumn[1:3]] == ["01:00 EDT", "01:00 EST"]
    assert [hour.start for hour in autumn[1:3]] == [utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 6, 0)]


@pytest.mark.parametrize(
    ("zone", "now", "day", "start"),
    [
        # 00:05 on 11 March in Kathmandu (+05:45): the day began at 18:15 UTC.
        (KATHMANDU, utc(2026, 3, 10, 18, 20), date(2026, 3, 11), utc(2026, 3, 10, 18, 15)),
        # 23:59 on 10 March in Kathmandu: still the 10th.
        (KATHMANDU, utc(2026, 3, 10, 18, 14), date(2026, 3, 10), utc(2026, 3, 9, 18, 15)),
        # 00:10 on 11 March in Kolkata (+05:30): the day began at 18:30 UTC.
        (KOLKATA, utc(2026, 3, 10, 18, 40), date(2026, 3, 11), utc(2026, 3, 10, 18, 30)),
        (KOLKATA, utc(2026, 3, 10, 18, 29), date(2026, 3, 10), utc(2026, 3, 9, 18, 30)),
    ],
)
def test_today_starts_at_local_midnight_in_offset_zones(
    zone: ZoneInfo, now: datetime, day: date, start: datetime
) -> None:
    window = dashboards.today_window(zone, now)
    assert (window.first, window.start, window.end) == (day, start, start + timedelta(days=1))
    assert len(dashboards.day_intervals(day, zone)) == 96
    hours = dashboards.local_hours(day, zone)
    assert hours[0].start == start and hours[0].label.startswith("00:00 ")


def test_month_to_date_runs_from_the_first_local_midnight_across_dst() -> None:
    window = dashboards.month_to_date_window(NEW_YORK, NOW)
    assert (window.first, window.last) == (date(2026, 3, 1), date(2026, 3, 10))
    assert window.start == utc(2026, 3, 1, 5, 0)  # EST
    assert window.end == utc(2026, 3, 11, 4, 0)  # EDT
    assert window.days == 10


def test_values_are_rounded_towards_the_less_favourable_side() -> None:
    assert dashboards.shown_value(Decimal("79.999"), "percent", ">=") == "79.99%"
    assert dashboards.shown_value(Decimal("200") / 3, "percent", ">=") == "66.66%"
    assert dashboards.shown_value(Decimal("5.001"), "percent", "<=") == "5.01%"
    assert dashboards.shown_value(Decimal("75"), "percent") == "75%"
    assert dashboards.shown_value(Decimal("412.31"), "seconds", "<=") == "412.4 s"
    assert dashboards.shown_value(None, "percent") == "—"
    assert dashboards.clock_text(7) == "0:07"
    assert dashboards.clock_text(245) == "4:05"
    assert dashboards.clock_text(3723) == "1:02:03"


# --- Figures from rollups in offset zones ----------------------------------------------------


def _phone_today(client: Client, now: datetime) -> tuple[int, str]:
    board = dashboards.wallboard(actor=SYSTEM, client=client, now=now)
    assert board.level is not None
    return board.level.offered, board.level.row.value


@pytest.mark.parametrize(
    ("zone", "now", "before", "after"),
    [
        ("Asia/Kathmandu", utc(2026, 3, 10, 18, 20), utc(2026, 3, 10, 18, 14), utc(2026, 3, 10, 18, 15)),
        ("Asia/Kolkata", utc(2026, 3, 10, 18, 40), utc(2026, 3, 10, 18, 29), utc(2026, 3, 10, 18, 30)),
    ],
)  # fmt: skip
def test_today_counts_only_calls_after_local_midnight(
    world: World, tmp_path: Path, zone: str, now: datetime, before: datetime, after: datetime
) -> None:
    client = world.client_a
    load_in_zone(client, zone)
    calls = [
        CallSpec("late", before, "answered", 5, talk=30),  # 23:59 the day before: yesterday
        CallSpec("early", after, "answered", 30, talk=30),  # 00:00 local: today, not within 20 s
    ]
    import_and_consume(client, calls, tmp_path, "calls")
    assert _phone_today(client, now) == (1, "0%")
    board = dashboards.client_dashboard(actor=SYSTEM, client=client, now=now)
    assert board.zone.key == zone
    assert board.today.first == dashboards.local_today(ZoneInfo(zone), now)
    assert [(v.channel_code, v.offered) for v in board.volumes_today] == [("phone", 1)]
    assert [(v.channel_code, v.offered) for v in board.volumes_month] == [("phone", 2)]
    assert board.hours[0].label.startswith("00:00 ")
    assert board.hours[0].offered == 1
    assert board.as_of.zone in ("+0545", "IST")


def test_hours_of_the_dst_day_put_calls_in_their_local_hour(world: World, tmp_path: Path) -> None:
    client = world.client_a
    load_in_zone(client, "America/New_York")
    calls = [
        CallSpec("e1", utc(2026, 3, 8, 6, 55), "answered", 5, talk=30),  # 01:55 EST
        CallSpec("e2", utc(2026, 3, 8, 7, 5), "answered", 25, talk=30),  # 03:05 EDT
        CallSpec("e3", utc(2026, 3, 8, 7, 10), "abandoned", 40),  # 03:10 EDT
    ]
    import_and_consume(client, calls, tmp_path, "calls")
    window = dashboards.today_window(NEW_YORK, utc(2026, 3, 9, 3, 50))  # 23:50 EDT on the 8th
    rows = dashboards.hours_today(client, window, utc(2026, 3, 9, 3, 50))
    assert len(rows) == 23
    by_label = {row.label: row for row in rows}
    assert (by_label["01:00 EST"].offered, by_label["01:00 EST"].service_level) == (1, "100%")
    three = by_label["03:00 EDT"]
    assert (three.offered, three.answered, three.abandoned, three.service_level) == (2, 1, 1, "0%")
    assert "02:00 EST" not in by_label and "02:00 EDT" not in by_label


# --- Wallboard -------------------------------------------------------------------------------


def test_wallboard_figures_from_live_calls_agents_rollups_and_clocks(
    world: World, tmp_path: Path
) -> None:
    client = world.client_a
    load_in_zone(client, "America/New_York")
    import_and_consume(client, calls_today(), tmp_path, "calls")
    # Waiting: two queued now (95 s and 20 s ago); answered and stale calls do not count.
    live_call(client, "w1", NOW - timedelta(seconds=95))
    live_call(client, "w2", NOW - timedelta(seconds=20))
    live_call(client, "w3", NOW - timedelta(seconds=60), answered=NOW - timedelta(seconds=30))
    live_call(client, "stale", NOW - timedelta(hours=5))
    # Agents: Alice available, Bob paused, Carol logged out, Dan back from a pause.
    agent_state(client, "Alice", AgentState.LOGIN, NOW - timedelta(hours=3))
    agent_state(client, "Bob", AgentState.LOGIN, NOW - timedelta(hours=3))
    agent_state(client, "Bob", AgentState.PAUSE, NOW - timedelta(minutes=5), queue="support")
    agent_state(client, "Carol", AgentState.LOGIN, NOW - timedelta(hours=3))
    agent_state(client, "Carol", AgentState.LOGOUT, NOW - timedelta(hours=1))
    agent_state(client, "Dan", AgentState.PAUSE_ALL, NOW - timedelta(minutes=30))
    agent_state(client, "Dan", AgentState.UNPAUSE_ALL, NOW - timedelta(minutes=10))
    agent_state(client, "Erin", AgentState.LOGIN, NOW - timedelta(days=2))  # too old to count
    agent_state(client, "Fay", AgentState.PAUSE, NOW + timedelta(minutes=1))  # not yet
    # A critical email opened 10 minutes ago: its 1-hour first response is due in 50 minutes.
    opened = NOW - timedelta(minutes=10)
    case_open(
        actor=SYSTEM,
        client=client,
        channel="email",
        priority="critical",
        subject="Checkout down",
        at=opened,
        now=opened,
    )

    board = dashboards.wallboard(actor=world.supervisor.actor, client=client, now=NOW)

    assert (board.waiting.calls, board.waiting.longest_seconds) == (2, 95)
    assert board.waiting.longest_text == "1:35"
    assert [(q.queue, q.waiting) for q in board.waiting.queues] == [("support", 2)]
    assert (board.agents.available, board.agents.paused, board.agents.logged_in) == (2, 1, 3)
    assert board.level is not None
    level = board.level
    assert (level.row.value, level.row.target, level.on_target) == ("60%", "≥ 80%", False)
    assert (level.row.numerator, level.row.denominator) == ("3", "5")
    assert level.row.verdict == "not_measured"  # 6 calls of a monthly minimum of 100
    assert "within 20 s" in level.row.definition and "under 5 s" in level.row.definition
    assert (board.offered_today, board.answered_today, board.abandoned_today) == (6, 4, 2)
    assert (board.at_risk.count, board.at_risk.overdue) == (1, 0)
    assert board.at_risk.top[0].subject == "Checkout down"
    assert board.at_risk.top[0].minutes_left == 50
    assert board.as_of.text == "2026-03-10 12:00:00" and board.as_of.zone == "EDT"
    assert board.today == date(2026, 3, 10)

    # Another client's supervisor sees none of client A's clocks through this read.
    other = dashboards.wallboard(actor=world.client_b_agent.actor, client=client, now=NOW)
    assert other.at_risk.count == 0


def test_client_dashboard_today_and_month_against_targets(world: World, tmp_path: Path) -> None:
    client = world.client_a
    load_in_zone(client, "America/New_York")
    calls = calls_today()
    calls.append(CallSpec("y1", utc(2026, 3, 9, 3, 0), "answered", 3, talk=60))  # 23:00 on the 8th
    import_and_consume(client, calls, tmp_path, "calls")

    board = dashboards.client_dashboard(actor=SYSTEM, client=client, now=NOW)

    assert board.zone_label == "America/New_York (EDT)"
    assert (board.today.first, board.month.first, board.month.last) == (
        date(2026, 3, 10),
        date(2026, 3, 1),
        date(2026, 3, 10),
    )
    assert not board.today.split and len(board.today.segments) == 1
    today = {f"{row.channel_code}.{row.name}": row for row in board.today.segments[0].rows}
    month = {f"{row.channel_code}.{row.name}": row for row in board.month.segments[0].rows}
    assert set(today) >= {"phone.answer_within", "phone.abandon_rate", "email.first_response"}
    sl = today["phone.answer_within"]
    assert (sl.value, sl.target, sl.numerator, sl.denominator) == ("60%", "≥ 80%", "3", "5")
    assert (sl.volume, sl.minimum_volume, sl.verdict, sl.below_minimum) == (
        6,
        100,
        "not_measured",
        True,
    )
    assert sl.meter == ("60", "80")
    abandon = today["phone.abandon_rate"]
    assert (abandon.value, abandon.target, abandon.verdict) == ("20%", "≤ 5%", "missed")
    month_sl = month["phone.answer_within"]
    assert (month_sl.value, month_sl.numerator, month_sl.denominator) == ("66.66%", "4", "6")
    assert today["email.first_response"].value == "—"
    assert today["email.first_response"].verdict == "not_measured"
    assert [(v.channel, v.offered, v.answered, v.abandoned) for v in board.volumes_today] == [
        ("Phone", 6, 4, 2)
    ]
    assert board.volumes_month[0].offered == 7
    # Hour by hour up to the current hour (noon): calls at 10:00-10:11 EDT.
    assert [row.label for row in board.hours][-1] == "12:00 EDT"
    ten = next(row for row in board.hours if row.label == "10:00 EDT")
    assert (ten.offered, ten.answered, ten.abandoned, ten.service_level) == (6, 4, 2, "60%")
    assert board.statements == []

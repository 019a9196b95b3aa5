"""Hour totals: each hour's row is the sum of its four 15-minute total rows, kept so by every
recompute (the report cube reads them: `pactline/reports/tests/test_cube_hours.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.metrics.consumer import consume_all
from pactline.metrics.models import (
    MEASURES,
    HourClockRollup,
    HourRollup,
    HourThresholdRollup,
    Rollup,
    ThresholdRollup,
)
from pactline.metrics.rollups import rollups_recompute, thresholds_backfill
from pactline.metrics.tests.support import CallSpec, import_calls

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
FIRST = [  # slot 14:00: 2 answered (waits 5 and 40), 1 abandoned (wait 12)
    CallSpec("a0", START + timedelta(minutes=1), "answered", 5, talk=100),
    CallSpec("a1", START + timedelta(minutes=2), "answered", 40, talk=50),
    CallSpec("a2", START + timedelta(minutes=3), "abandoned", 12),
]
LATER = [  # slot 14:30 (same hour) and slot 15:45 (next hour)
    CallSpec("b0", START + timedelta(minutes=31), "answered", 10, talk=30),
    CallSpec("b1", START + timedelta(minutes=106), "abandoned", 30),
]


def _hours(client_id: int) -> dict[tuple[datetime, str], tuple[int, int, int, int]]:
    return {
        (row.hour_start, row.channel): (row.offered, row.answered, row.abandoned, row.talk_seconds)
        for row in HourRollup.objects.filter(client_id=client_id)
    }


def test_an_hour_sums_every_slot_even_when_one_import_touches_one_slot(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, FIRST, tmp_path, "first")
    consume_all()
    assert _hours(client.id) == {(START, "phone"): (3, 2, 1, 150)}
    import_calls(client, LATER, tmp_path, "later")
    consume_all()
    # 14:00 holds its 14:00 and 14:30 slots; 15:00 only the 15:45 one.
    assert _hours(client.id) == {
        (START, "phone"): (4, 3, 1, 180),
        (START + timedelta(hours=1), "phone"): (1, 0, 1, 0),
    }


def test_every_hour_table_equals_its_slot_totals(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, FIRST + LATER, tmp_path)
    consume_all()
    hour = START + timedelta(hours=1)
    slots = Rollup.objects.filter(client=client, total=True, interval_start__gte=START)
    for name in MEASURES:
        for begin in (START, hour):
            in_hour = slots.filter(interval_start__lt=begin + timedelta(hours=1))
            in_hour = in_hour.filter(interval_start__gte=begin)
            expected = sum(getattr(row, name) for row in in_hour)
            got = HourRollup.objects.get(client=client, hour_start=begin, channel="phone")
            assert getattr(got, name) == expected, (name, begin)
    # Every tracked threshold of each hour: the 15-minute counts summed.
    for row in HourThresholdRollup.objects.filter(client=client):
        parts = ThresholdRollup.objects.filter(
            client=client,
            total=True,
            threshold=row.threshold,
            interval_start__gte=row.hour_start,
            interval_start__lt=row.hour_start + timedelta(hours=1),
        )
        assert row.answered == sum(p.answered for p in parts)
        assert row.abandoned == sum(p.abandoned for p in parts)
        assert row.removed == sum(p.removed for p in parts)
    # Northwind answers within 20 s: hour 14 has waits 5 and 10 answered, 12 abandoned.
    twenty = HourThresholdRollup.objects.get(client=client, hour_start=START, threshold=20)
    assert (twenty.answered, twenty.abandoned, twenty.removed) == (2, 1, 3)
    # No SLA clock stopped on a phone import: no clock hours.
    assert not HourClockRollup.objects.filter(client=client).exists()


def test_recomputing_an_emptied_slot_empties_its_hour(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, FIRST, tmp_path)
    consume_all()
    from pactline.metrics.models import Fact

    Fact.objects.filter(client=client).delete()
    rollups_recompute(client.id, [START], [20])
    assert _hours(client.id) == {}
    assert not HourThresholdRollup.objects.filter(client=client).exists()


def test_a_backfilled_threshold_reaches_the_hours(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, FIRST + LATER, tmp_path)
    consume_all()
    assert not HourThresholdRollup.objects.filter(client=client, threshold=45).exists()
    thresholds_backfill(client.id, [45])
    got = {
        row.hour_start: (row.answered, row.abandoned, row.removed)
        for row in HourThresholdRollup.objects.filter(client=client, threshold=45)
    }
    # Hour 14: waits 5 40 10 answered, 12 abandoned; hour 15: 30 abandoned.
    assert got == {START: (3, 1, 4), START + timedelta(hours=1): (0, 1, 1)}

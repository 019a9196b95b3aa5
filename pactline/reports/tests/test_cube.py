"""The report cube reads total rollup rows once, with interval starts as epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.common.sql import Epoch
from pactline.metrics.models import Rollup, ThresholdRollup
from pactline.reports.cube import Cube

pytestmark = pytest.mark.django_db

# 2026-03-08 is New York's spring-forward day: the slot before 07:00 UTC is 01:45 EST, the one
# at 07:00 is 03:00 EDT.
SLOTS = [datetime(2026, 3, 8, 6, 45, tzinfo=UTC), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)]


def _rollup(client_id: int, at: datetime, offered: int, *, total: bool = True) -> None:
    Rollup.objects.create(
        client_id=client_id, interval_start=at, channel="phone", total=total, offered=offered
    )


def test_epoch_is_the_instant_in_whole_seconds() -> None:
    client = northwind()
    _rollup(client.id, SLOTS[0], 1)
    _rollup(client.id, datetime(2026, 3, 8, 7, 0, 0, 600_000, tzinfo=UTC), 1)
    got = sorted(
        Rollup.objects.filter(client=client).values_list(Epoch("interval_start"), flat=True)
    )
    # 2026-03-08T06:45:00Z = 1772952300 (20520 days × 86400 + 6 h 45 min); .6 s rounds up.
    assert got == [1_772_952_300, 1_772_953_201]


def test_series_buckets_by_slot_and_ignores_detail_rows() -> None:
    client = northwind()
    _rollup(client.id, SLOTS[0], 3)
    _rollup(client.id, SLOTS[1], 5)
    _rollup(client.id, SLOTS[1], 100, total=False)  # a detail row: never read by the cube
    cube = Cube(client.id, SLOTS[0] - timedelta(hours=1), SLOTS[1] + timedelta(hours=1))
    buckets = cube.series([SLOTS[0] - timedelta(hours=1), SLOTS[1]], channels=["phone"])
    assert [b.measures.offered for b in buckets] == [3, 5]
    assert cube.measured(channels=["phone"]).measures.offered == 8
    assert cube.measured(channels=["email"]).measures.offered == 0


def test_series_sums_each_bucket_and_threshold_exactly() -> None:
    """Rows of two thresholds over three buckets, out of order: each bucket's `within` holds
    exactly its rows' sums, and a threshold with no row in a bucket is absent from it."""
    client = northwind()
    base = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    rows = [  # (minutes after base, threshold, answered, abandoned)
        (30, 20, 5, 1),
        (0, 20, 2, 0),
        (15, 60, 7, 3),
        (0, 60, 4, 4),
        (45, 20, 1, 1),
        (15, 20, 3, 0),
    ]
    for minutes, threshold, answered, abandoned in rows:
        ThresholdRollup.objects.create(
            client=client,
            interval_start=base + timedelta(minutes=minutes),
            channel="phone",
            total=True,
            threshold=threshold,
            answered=answered,
            abandoned=abandoned,
            removed=answered + abandoned,
        )
    bounds = [base, base + timedelta(minutes=15), base + timedelta(minutes=30)]
    cube = Cube(client.id, base, base + timedelta(hours=1), cuts=bounds)
    buckets = cube.series(bounds, channels=["phone"])
    within = [{t: (w.answered, w.abandoned) for t, w in b.measures.within.items()} for b in buckets]
    assert within == [
        {20: (2, 0), 60: (4, 4)},
        {20: (3, 0), 60: (7, 3)},
        {20: (6, 2)},
    ]

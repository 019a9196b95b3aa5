"""Rollups from real imports: the reference vectors, idempotence, rebuild, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.core.kpi import abandon_rate, asa, service_level
from pactline.metrics.consumer import consume_all
from pactline.metrics.models import (
    Cursor,
    Fact,
    HourClockRollup,
    HourRollup,
    HourThresholdRollup,
    Rollup,
    ThresholdRollup,
)
from pactline.metrics.rebuild import metrics_rebuild
from pactline.metrics.selectors import Filter, measured_between
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.tenancy.tests.holders import hold_escalation_roles

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
DAY = (START.replace(hour=0), START.replace(hour=0) + timedelta(days=1))

# Reference §1.1: 7 answered (waits 0 5 12 19 20 35 80), 4 abandoned (3 15 45 90), 1 callback (25).
VECTOR = [
    *(
        CallSpec(f"a{i}", START + timedelta(seconds=i * 20), "answered", wait, talk=100)
        for i, wait in enumerate((0, 5, 12, 19, 20, 35, 80))
    ),
    *(
        CallSpec(f"b{i}", START + timedelta(seconds=200 + i * 20), "abandoned", wait)
        for i, wait in enumerate((3, 15, 45, 90))
    ),
    CallSpec("c0", START + timedelta(seconds=400), "callback", 25),
]


def _snapshot(client_id: int) -> list[tuple[object, ...]]:
    tables = (Rollup, ThresholdRollup, HourRollup, HourThresholdRollup, HourClockRollup)
    # Row ids differ between runs; everything else must not.
    return [
        (model.__name__, *row[1:])
        for model in tables
        for row in sorted(model.objects.filter(client_id=client_id).values_list())
    ]


def test_reference_vector_through_import_and_rollup(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    assert consume_all() == 12
    measures = measured_between(client.id, *DAY).measures
    assert (measures.offered, measures.answered, measures.abandoned, measures.callbacks) == (
        12,
        7,
        4,
        1,
    )
    expected = {
        "SL-A": "71.428571",
        "SL-B": "45.454545",
        "SL-C": "50.000000",
        "SL-D": "63.636364",
        "SL-E": "58.333333",
    }
    for variant, value in expected.items():
        short = 5 if variant == "SL-C" else None
        result = service_level(measures, variant=variant, threshold=20, short_abandon=short)
        assert result.value is not None
        assert result.value.quantize(Decimal("0.000001")) == Decimal(value), variant
    rate = abandon_rate(measures, variant="answered_plus_abandoned", short_abandon=5)
    assert rate.value is not None
    assert rate.value.quantize(Decimal("0.000001")) == Decimal("30.000000")
    speed = asa(measures)
    assert speed.value is not None
    assert speed.value.quantize(Decimal("0.000001")) == Decimal("24.428571")


def test_reimport_and_replay_change_nothing(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    before = _snapshot(client.id)
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    assert _snapshot(client.id) == before
    # Replaying from cursor zero re-derives every call and yields the same sums.
    Cursor.objects.filter(client=client).update(position=0)
    assert consume_all() == 12
    assert _snapshot(client.id) == before
    assert Fact.objects.filter(client=client).count() == 12


def test_rebuild_gives_identical_rollups(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    before = _snapshot(client.id)
    Rollup.objects.filter(client=client).update(offered=999)  # damage, then repair
    HourRollup.objects.filter(client=client).update(answered=999)
    Fact.objects.filter(client=client, source_id__in=Fact.objects.values("source_id")[:3]).delete()
    done = metrics_rebuild(actor=SYSTEM, client=client, start=DAY[0], end=DAY[1])
    assert done.sources == 12
    assert _snapshot(client.id) == before


def test_filters_and_periods(tmp_path: Path) -> None:
    client = northwind()
    later = [
        CallSpec("s1", START + timedelta(minutes=30), "answered", 4, queue="sales", agent="Bob"),
        CallSpec("s2", START + timedelta(days=1), "abandoned", 9, queue="sales"),
    ]
    import_calls(client, [*VECTOR, *later], tmp_path)
    consume_all()
    day = measured_between(client.id, *DAY).measures
    assert day.offered == 13
    sales = measured_between(client.id, *DAY, Filter(queues=("sales",))).measures
    assert (sales.offered, sales.answered, sales.answered_wait_seconds) == (1, 1, 4)
    bob = measured_between(client.id, *DAY, Filter(agents=("Bob",))).measures
    assert bob.handled == 1
    first_interval = measured_between(client.id, START, START + timedelta(minutes=15)).measures
    assert first_interval.offered == 12
    next_day = measured_between(client.id, DAY[1], DAY[1] + timedelta(days=1)).measures
    assert (next_day.offered, next_day.abandoned, next_day.within[20].abandoned) == (1, 1, 1)


def test_other_clients_are_not_counted(tmp_path: Path) -> None:
    from pactline.cases.tests.fixtures import load_example

    client = northwind()
    other = load_example("telecom-tiers").client
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    assert measured_between(other.id, *DAY).measures.offered == 0


def test_a_threshold_named_later_is_counted_over_the_whole_history(tmp_path: Path) -> None:
    import json

    from pactline.agreements.services import (
        agreement_version_accept,
        agreement_version_activate,
        agreement_version_create,
        agreement_version_propose,
    )
    from pactline.agreements.tests.documents import example_data
    from pactline.tenancy.access import system_actor

    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    assert 45 not in measured_between(client.id, *DAY).measures.within
    data = example_data("general-outsourcing")
    data["parties"]["client"]["code"] = client.code
    data["effective_from"] = "2026-12-01"
    data["service_levels"]["phone"]["answer_within"]["threshold_seconds"] = 45
    text = json.dumps(data, default=str)
    version = agreement_version_create(actor=SYSTEM, text=text, fmt="json").version
    # Proposed with the notice its change control asks (30 days before 1 December).
    proposed = datetime(2026, 10, 1, tzinfo=UTC)
    agreement_version_propose(actor=SYSTEM, version=version, now=proposed)
    agreement_version_accept(actor=system_actor("client"), version=version, now=proposed)
    hold_escalation_roles(version.client)
    agreement_version_activate(actor=SYSTEM, version=version)
    assert consume_all() == 0
    within = measured_between(client.id, *DAY).measures.within[45]
    # Waits 0 5 12 19 20 35 answered, 3 15 45 abandoned, the 25 s callback: all <= 45.
    assert (within.answered, within.abandoned, within.removed) == (6, 3, 10)

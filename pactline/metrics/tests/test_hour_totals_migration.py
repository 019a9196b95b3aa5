"""The migration that adds the hour totals sums the 15-minute totals already stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pactline.cases.tests.fixtures import northwind
from pactline.metrics.models import HourClockRollup, HourRollup, HourThresholdRollup

BEFORE = [("metrics", "0012_reports_moved")]
AFTER = [("metrics", "0013_hour_totals")]
HOUR = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_stored_totals_are_summed_into_hours() -> None:
    client = northwind()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    rollup = old.get_model("metrics", "Rollup")
    threshold = old.get_model("metrics", "ThresholdRollup")
    clock = old.get_model("metrics", "ClockRollup")
    for minutes, offered in ((0, 2), (45, 3), (60, 7)):
        at = HOUR + timedelta(minutes=minutes)
        common = {"client_id": client.id, "interval_start": at, "channel": "phone"}
        rollup.objects.create(**common, total=True, offered=offered, talk_seconds=10 * offered)
        rollup.objects.create(**common, queue="q", total=False, offered=100)  # detail: not summed
        threshold.objects.create(**common, total=True, threshold=20, answered=offered, removed=1)
        clock.objects.create(
            **common, total=True, clock_key="email.first_response", stopped=offered, met=1
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    later = HOUR + timedelta(hours=1)
    hours = HourRollup.objects.filter(client=client).order_by("hour_start")
    assert [(h.hour_start, h.offered, h.talk_seconds) for h in hours] == [
        (HOUR, 5, 50),
        (later, 7, 70),
    ]
    within = HourThresholdRollup.objects.filter(client=client).order_by("hour_start")
    assert [(w.hour_start, w.threshold, w.answered, w.removed) for w in within] == [
        (HOUR, 20, 5, 2),
        (later, 20, 7, 1),
    ]
    clocks = HourClockRollup.objects.filter(client=client).order_by("hour_start")
    assert [(c.hour_start, c.clock_key, c.stopped, c.met) for c in clocks] == [
        (HOUR, "email.first_response", 5, 2),
        (later, "email.first_response", 7, 1),
    ]

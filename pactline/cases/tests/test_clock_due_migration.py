"""The migration that adds the due queue queues every stored clock with an event ahead."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pactline.cases.models import SlaClock, SlaClockDue
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.tenancy.access import system_actor

BEFORE = [("cases", "0012_lighter_clock_indexes")]
AFTER = [("cases", "0013_clock_due_queue")]


@pytest.mark.django_db(transaction=True)
def test_stored_clocks_are_queued_at_their_next_event() -> None:
    client = northwind()
    for minutes in (0, 7):
        case_open(
            actor=system_actor("test"), client=client, channel="email", priority="normal",
            at=MONDAY_9AM_NY, now=MONDAY_9AM_NY.replace(minute=minutes),
        )  # fmt: skip
    expected = dict(
        SlaClock.objects.filter(next_event_at__isnull=False).values_list("id", "next_event_at")
    )
    assert len(expected) == 4
    try:
        _migrate_and_check(expected, client.id)
    finally:  # the tests after this one need every later migration too
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate_and_check(expected: Mapping[int, object], client_id: int) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert "cases_slaclockdue" not in connection.introspection.table_names()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    assert dict(SlaClockDue.objects.values_list("clock_id", "at")) == expected
    assert set(SlaClockDue.objects.values_list("client_id", flat=True)) == {client_id}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'cases_slaclock'")
            assert cursor.fetchone()[0] == ["fillfactor=80"]

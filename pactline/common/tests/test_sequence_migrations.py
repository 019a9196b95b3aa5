"""The migrations into the one change-sequence table: from before it existed, counters set in
every old table (cases, voice, chat, social, email) arrive in `common.ChangeCounter` with the
same values, and the next number drawn is the last one plus one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from conftest import World
from pactline.common.models import ChangeCounter
from pactline.common.sequences import ChangeSequence, Stream

BEFORE = [
    ("common", "0001_idempotency_records"),
    ("cases", "0009_clock_client_due"),
    ("channels_voice", "0004_redacted_text"),
    ("channels_chat", "0002_redacted_text"),
    ("channels_social", "0002_redacted_text"),
    ("channels_email", "0003_redacted_text"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    """Migrate to `targets` (None: every app's latest migration)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


@pytest.fixture
def migrated_back(world: World) -> Iterator[MigrationExecutor]:
    executor = _migrate(BEFORE)
    try:
        yield executor
    finally:
        _migrate()


@pytest.mark.django_db(transaction=True)
def test_every_old_counter_is_carried_into_the_common_table(
    world: World, migrated_back: MigrationExecutor
) -> None:
    old = migrated_back.loader.project_state(BEFORE).apps
    a, b = world.client_a.id, world.client_b.id
    cases = old.get_model("cases", "ChangeCounter")
    cases.objects.create(client_id=a, stream="cases", value=41)
    cases.objects.create(client_id=a, stream="surveys", value=7)
    cases.objects.create(client_id=b, stream="cases", value=3)
    old.get_model("channels_voice", "ChangeCounter").objects.create(
        client_id=a, stream="voice", value=1000
    )
    old.get_model("channels_chat", "ChatSequence").objects.create(client_id=a, last=12)
    old.get_model("channels_social", "SocialSequence").objects.create(client_id=b, last=5)
    old.get_model("channels_email", "EmailSequence").objects.create(client_id=a, last=99)

    _migrate()

    expected = {
        (a, Stream.CASES): 41,
        (a, Stream.SURVEYS): 7,
        (b, Stream.CASES): 3,
        (a, Stream.VOICE): 1000,
        (a, Stream.CHAT): 12,
        (b, Stream.SOCIAL): 5,
        (a, Stream.EMAIL): 99,
    }
    stored = {
        (client_id, Stream(stream)): value
        for client_id, stream, value in ChangeCounter.objects.values_list(
            "client_id", "stream", "value"
        )
    }
    assert stored == expected
    for (client_id, stream), last in expected.items():
        with transaction.atomic():
            assert ChangeSequence(client_id, stream).take() == last + 1
    tables = connection.introspection.table_names()
    for table in ("cases_changecounter", "channels_voice_changecounter"):
        assert table not in tables
    for table in ("chatsequence", "socialsequence", "emailsequence"):
        assert not [name for name in tables if name.endswith(table)]


@pytest.mark.django_db(transaction=True)
def test_migrating_back_returns_the_counters_to_the_old_tables(world: World) -> None:
    a = world.client_a.id
    with transaction.atomic():
        ChangeSequence(a, Stream.CASES).take(4)
        ChangeSequence(a, Stream.EMAIL).take(2)
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        cases = old.get_model("cases", "ChangeCounter").objects.get(client_id=a, stream="cases")
        email = old.get_model("channels_email", "EmailSequence").objects.get(client_id=a)
        assert (cases.value, email.last) == (4, 2)
    finally:
        _migrate()

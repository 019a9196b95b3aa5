"""Moving Recording to `pactline.channels.recordings` keeps every row: a recording stored
before the move, and the request that names it, are the same rows after it, in the table of
the new app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    cases_fixture,
)
from pactline.channels.recordings.models import Recording
from pactline.privacy.models import MaterialRequest

BEFORE_THE_MOVE = [("privacy", "0002_redacted_text"), ("recordings", None)]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)  # type: ignore[arg-type]
    return executor


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture(name="latest")
def latest_fixture() -> Iterator[None]:
    yield
    # Whatever the test did, the database is left fully migrated for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_recording_and_its_request_survive_the_move(cases: Cases, latest: None) -> None:
    before = _migrate(BEFORE_THE_MOVE)
    assert "privacy_recording" in _tables() and "recordings_recording" not in _tables()
    old = before.loader.project_state(("privacy", "0002_redacted_text")).apps
    at = timezone.now()
    recording = old.get_model("privacy", "Recording").objects.create(
        client_id=cases.a.client_id,
        case_id=cases.a.pk,
        kind="transcript",
        file="recordings/client-a/feed.txt",
        original_name="chat-7.txt",
        content_type="text/plain",
        size=12,
        sha256="f" * 64,
        transcript_text="Agent: hello",
        source="chat-7",
        created_by_label="user:a-agent",
        created_at=at,
    )
    request = old.get_model("privacy", "MaterialRequest").objects.create(
        client_id=cases.a.client_id,
        recording_id=recording.pk,
        requested_by_label="user:a-manager",
        requested_by_user_id=cases.world.client_a_manager.user.pk,
        reason="Audit",
        created_at=at,
    )

    after = MigrationExecutor(connection)
    after.migrate(after.loader.graph.leaf_nodes())

    assert "recordings_recording" in _tables() and "privacy_recording" not in _tables()
    moved = Recording.objects.get(pk=recording.pk)
    assert (moved.client_id, moved.case_id, moved.kind, moved.file.name) == (
        cases.a.client_id,
        cases.a.pk,
        "transcript",
        "recordings/client-a/feed.txt",
    )
    assert (moved.sha256, moved.transcript_text, moved.source, moved.created_at) == (
        "f" * 64,
        "Agent: hello",
        "chat-7",
        at,
    )
    kept = MaterialRequest.objects.get(pk=request.pk)
    assert kept.recording == moved
    assert list(moved.requests.all()) == [kept]
    # The table keeps serving new rows after the rename (its id sequence came along).
    again = Recording.objects.create(
        client_id=moved.client_id,
        case_id=moved.case_id,
        kind="recording",
        file="recordings/client-a/next.wav",
        original_name="call.wav",
        content_type="audio/wav",
        size=1,
        sha256="e" * 64,
        created_at=at,
    )
    assert again.pk > moved.pk


@pytest.mark.django_db(transaction=True)
def test_the_content_type_follows_the_model(latest: None) -> None:
    ContentType.objects.filter(app_label="recordings", model="recording").delete()
    ContentType.objects.get_or_create(app_label="privacy", model="recording")
    ContentType.objects.clear_cache()
    _migrate(BEFORE_THE_MOVE)
    legacy = ContentType.objects.get(app_label="privacy", model="recording")

    after = MigrationExecutor(connection)
    after.migrate(after.loader.graph.leaf_nodes())

    assert ContentType.objects.get(pk=legacy.pk).app_label == "recordings"
    assert not ContentType.objects.filter(app_label="privacy", model="recording").exists()

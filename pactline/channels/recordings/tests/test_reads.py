"""Reads a higher app builds on: a recording by id for the actor, the actor's recordings, a
case's recordings; and the audited reads of a recording's content."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from pactline.audit.models import AuditEvent
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    cases_fixture,
)
from pactline.channels.recordings.access import access_recording
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.selectors import case_recordings, recording_list
from pactline.channels.recordings.services import recording_attach, recording_open, recording_view
from pactline.channels.recordings.storage import RecordingFileMissing
from pactline.channels.recordings.tests.support import AUDIO, SYSTEM, TRANSCRIPT
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import Permission


def attach(cases: Cases, case_name: str, content: bytes, kind: str = "recording") -> Recording:
    return recording_attach(
        actor=SYSTEM,
        case=getattr(cases, case_name),
        kind=kind,
        name="file.txt" if kind == "transcript" else "call.wav",
        content=content,
        content_type="text/plain" if kind == "transcript" else "audio/wav",
    )


def test_a_recording_by_id_is_the_actors_or_missing(cases: Cases) -> None:
    world = cases.world
    mine = attach(cases, "a", AUDIO)

    assert access_recording(world.client_a_agent.actor, mine.pk, permission=Permission.CASE_WORK)
    with pytest.raises(NotFound):
        access_recording(world.client_b_agent.actor, mine.pk, permission=Permission.CASE_WORK)
    with pytest.raises(Forbidden):
        access_recording(world.client_a_manager.actor, mine.pk, permission=Permission.CASE_WORK)
    with pytest.raises(NotFound):
        access_recording(
            world.provider_admin.actor, mine.pk + 1000, permission=Permission.CASE_WORK
        )


def test_lists_hold_the_actors_clients_and_a_cases_own(cases: Cases) -> None:
    world = cases.world
    audio = attach(cases, "a", AUDIO)
    transcript = attach(cases, "a", TRANSCRIPT, "transcript")
    other_case = attach(cases, "a_resolved", AUDIO)
    b_audio = attach(cases, "b", AUDIO)

    agent_a = recording_list(actor=world.client_a_agent.actor)
    assert {item.pk for item in agent_a} == {audio.pk, transcript.pk, other_case.pk}
    assert {item.pk for item in recording_list(actor=world.supervisor.actor)} == {
        audio.pk,
        transcript.pk,
        other_case.pk,
        b_audio.pk,
    }
    assert not recording_list(actor=world.client_a_manager.actor).exists()
    assert [item.pk for item in case_recordings(case=cases.a)] == [audio.pk, transcript.pk]


def test_reading_content_is_audited(cases: Cases) -> None:
    agent = cases.world.client_a_agent.actor
    transcript = attach(cases, "a", TRANSCRIPT, "transcript")

    recording_view(actor=agent, recording=transcript)
    with recording_open(actor=agent, recording=transcript) as handle:
        assert b"[card \xe2\x80\xa61111]" in handle.read()

    actions = AuditEvent.objects.filter(
        object_type="Recording", object_id=str(transcript.pk)
    ).values_list("action", flat=True)
    assert sorted(actions) == ["material.downloaded", "material.viewed", "recording.attached"]
    with pytest.raises(Forbidden):
        recording_view(actor=cases.world.client_a_manager.actor, recording=transcript)


def test_a_missing_file_is_named_and_not_audited(cases: Cases) -> None:
    audio = attach(cases, "a", AUDIO)
    default_storage.delete(audio.file.name)

    with pytest.raises(RecordingFileMissing):
        recording_open(actor=cases.world.client_a_agent.actor, recording=audio)
    assert not AuditEvent.objects.filter(action="material.downloaded").exists()

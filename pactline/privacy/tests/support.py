"""Test helpers (no tests here): recordings and requests on the cases of two clients.

Client A's case `a` carries an audio recording and a transcript; client B's case one
recording. Client A's viewer has a pending request for the transcript, its manager an approved
one (24 hours)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.http.response import HttpResponseBase

from pactline.audit.models import AuditEvent
from pactline.cases.tests.test_pages_support import Cases
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.services import recording_attach
from pactline.channels.recordings.tests.support import (
    AUDIO,
    SYSTEM,
    TRANSCRIPT,
)
from pactline.privacy.models import MaterialRequest
from pactline.privacy.services import material_decide, material_download_url, material_request

PRIVACY_ACTIONS = (
    "recording.attached",
    "material.requested",
    "material.approved",
    "material.rejected",
    "material.downloaded",
    "material.viewed",
    "material.download_refused",
)


@dataclass(frozen=True)
class Materials:
    cases: Cases
    audio: Recording  # client A, case a
    transcript: Recording  # client A, case a
    b_audio: Recording  # client B
    pending: MaterialRequest  # client A viewer → transcript
    approved: MaterialRequest  # client A manager → transcript, approved for 24 h
    b_pending: MaterialRequest  # client B manager → b_audio
    link: str  # the manager's download link

    @property
    def world(self) -> Any:
        return self.cases.world


@pytest.fixture(name="materials")
def materials_fixture(cases: Cases) -> Materials:
    world = cases.world
    audio = recording_attach(
        actor=SYSTEM,
        case=cases.a,
        kind="recording",
        name="call-1.wav",
        content=AUDIO,
        content_type="audio/wav",
        source="1709391600.42",
    )
    transcript = recording_attach(
        actor=SYSTEM,
        case=cases.a,
        kind="transcript",
        name="chat-7.txt",
        content=TRANSCRIPT,
        content_type="text/plain",
        source="chat-7",
    )
    b_audio = recording_attach(
        actor=SYSTEM,
        case=cases.b,
        kind="recording",
        name="呼叫.mp3",
        content=b"ID3" + bytes(500),
        content_type="audio/mpeg",
    )
    pending = material_request(
        actor=world.client_a_viewer.actor, recording=transcript, reason="Complaint review"
    )
    approved = material_request(
        actor=world.client_a_manager.actor, recording=transcript, reason="Audit"
    )
    approved = material_decide(actor=world.supervisor.actor, request=approved, approve=True)
    b_pending = material_request(
        actor=world.client_b_manager.actor, recording=b_audio, reason="质量检查"
    )
    link = material_download_url(actor=world.client_a_manager.actor, request=approved)
    return Materials(cases, audio, transcript, b_audio, pending, approved, b_pending, link)


def audit_counts() -> dict[str, int]:
    return {action: AuditEvent.objects.filter(action=action).count() for action in PRIVACY_ACTIONS}


def body(response: HttpResponseBase) -> bytes:
    # Consuming the content closes the response through the test client's wrapper, which keeps
    # Django from closing the test's database connection; a second close() would not.
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def download_links(html: str) -> list[str]:
    return re.findall(r'href="(/materials/download/[^"]+/)"', html)


def main_text(html: bytes) -> str:
    found = re.search(rb"<main.*</main>", html, re.S)
    assert found is not None
    return found.group(0).decode()

"""The attach page (an agent adds a recording or transcript to a case) and the provider's
direct download of the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
)
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.services import recording_attach
from pactline.channels.recordings.tests.support import AUDIO, TRANSCRIPT, TRANSCRIPT_REDACTED
from pactline.privacy.models import MaterialRequest
from pactline.privacy.tests.support import (
    main_text,
)


def test_the_attach_page_stores_an_upload(cases: Cases, media_root: Path) -> None:
    http = as_persona(cases.world, "client_a_agent")
    assert http.get(f"/cases/{cases.a.pk}/materials/new/").status_code == 200

    upload = SimpleUploadedFile("chat.txt", TRANSCRIPT, content_type="text/plain")
    response = http.post(
        f"/cases/{cases.a.pk}/materials/new/",
        {"kind": "transcript", "file": upload, "source": "chat-7"},
    )

    recording = Recording.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/materials/recordings/{recording.pk}/"
    assert recording.transcript_text == TRANSCRIPT_REDACTED
    assert recording.source == "chat-7"
    assert (media_root / recording.file.name).read_bytes() == TRANSCRIPT_REDACTED.encode()

    upload = SimpleUploadedFile("chat.txt", TRANSCRIPT, content_type="text/plain")
    again = http.post(
        f"/cases/{cases.a.pk}/materials/new/", {"kind": "transcript", "file": upload}, follow=True
    )
    assert f"This file is already attached to the case as #{recording.pk}." in main_text(
        again.content
    )
    assert Recording.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        (b"\xff\xfe\x00h", "transcript", "A transcript must be UTF-8 text; byte 0 is not."),
        (b"x" * 1025, "recording", "The file is larger than the limit of 1.0\xa0KB."),
        (b"", "recording", "The submitted file is empty."),
    ],
    ids=["not-utf8", "too-big", "empty"],
)
def test_the_attach_page_shows_what_is_wrong(
    cases: Cases, settings: Settings, content: bytes, kind: str, message: str
) -> None:
    settings.PACTLINE_RECORDING_MAX_BYTES = 1024
    http = as_persona(cases.world, "client_a_agent")
    upload = SimpleUploadedFile("x.bin", content, content_type="application/octet-stream")

    response = http.post(f"/cases/{cases.a.pk}/materials/new/", {"kind": kind, "file": upload})

    assert response.status_code == 422
    assert message in main_text(response.content)
    assert Recording.objects.count() == 0
    assert MaterialRequest.objects.count() == 0


def test_a_non_ascii_name_is_offered_as_rfc_5987(cases: Cases) -> None:
    recording = recording_attach(
        actor=cases.world.client_a_agent.actor,
        case=cases.a,
        kind="recording",
        name="呼叫 1.wav",
        content=AUDIO,
        content_type="audio/wav",
    )
    response = as_persona(cases.world, "client_a_agent").get(
        f"/materials/recordings/{recording.pk}/file/"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%91%BC%E5%8F%AB%201.wav"
    )
    assert b"".join(response.streaming_content) == AUDIO
    response.close()

"""Attaching recordings and transcripts: storage layout, redaction, refusals, idempotency."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    cases_fixture,
)
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.services import max_bytes, recording_attach
from pactline.channels.recordings.tests.support import (
    AUDIO,
    SYSTEM,
    TRANSCRIPT,
    TRANSCRIPT_REDACTED,
    attached_count,
    files_under,
)
from pactline.common.errors import Forbidden, NotFound, ValidationFailed


def attach(cases: Cases, content: bytes = AUDIO, **overrides: object) -> Recording:
    arguments: dict[str, object] = {
        "actor": cases.world.client_a_agent.actor,
        "case": cases.a,
        "kind": "recording",
        "name": "call-1.wav",
        "content": content,
        "content_type": "audio/wav",
    }
    arguments.update(overrides)
    return recording_attach(**arguments)  # type: ignore[arg-type]


def test_a_recording_is_stored_under_the_client_code_and_its_digest(
    cases: Cases, media_root: Path
) -> None:
    recording = attach(cases, source="1709391600.42")

    digest = hashlib.sha256(AUDIO).hexdigest()
    assert recording.file.name == f"recordings/client-a/{digest}.wav"
    assert (media_root / recording.file.name).read_bytes() == AUDIO
    assert recording.sha256 == digest
    assert recording.size == len(AUDIO) == 1040
    assert recording.client_id == cases.a.client_id
    assert recording.kind == "recording"
    assert recording.original_name == "call-1.wav"
    assert recording.content_type == "audio/wav"
    assert recording.source == "1709391600.42"
    assert recording.transcript_text == ""
    assert recording.created_by_label == "user:a-agent"
    assert attached_count() == 1


def test_a_transcript_is_redacted_in_the_text_and_in_the_stored_file(
    cases: Cases, media_root: Path
) -> None:
    recording = attach(
        cases, TRANSCRIPT, kind="transcript", name="chat-7.txt", content_type="text/plain"
    )

    stored = TRANSCRIPT_REDACTED.encode()
    assert recording.transcript_text == TRANSCRIPT_REDACTED
    assert (media_root / recording.file.name).read_bytes() == stored
    assert recording.sha256 == hashlib.sha256(stored).hexdigest()
    assert recording.file.name == f"recordings/client-a/{recording.sha256}.txt"
    assert recording.size == len(stored)
    assert "4111" not in Recording.objects.get(pk=recording.pk).transcript_text.replace("…1111", "")
    # Nothing with the card number was written anywhere under the media root.
    for name in files_under(media_root):
        assert b"4111 1111 1111 1111" not in (media_root / name).read_bytes()


def test_a_recordings_speech_to_text_is_redacted_too(cases: Cases) -> None:
    recording = attach(cases, transcript_text="card 4111-1111-1111-1111 please")
    assert recording.transcript_text == "card [card …1111] please"


def test_attaching_the_same_content_again_returns_the_same_recording(
    cases: Cases, media_root: Path
) -> None:
    first = attach(cases)
    again = attach(cases, name="renamed.wav", source="other")

    assert again.pk == first.pk
    assert again.original_name == "call-1.wav"
    assert Recording.objects.count() == 1
    assert attached_count() == 1
    assert len(files_under(media_root)) == 1


def test_the_same_transcript_twice_is_one_transcript(cases: Cases) -> None:
    first = attach(cases, TRANSCRIPT, kind="transcript", name="t.txt", content_type="text/plain")
    again = attach(cases, TRANSCRIPT, kind="transcript", name="t.txt", content_type="text/plain")
    assert again.pk == first.pk
    assert Recording.objects.count() == 1


def test_the_same_content_on_another_case_is_another_record_sharing_the_file(
    cases: Cases, media_root: Path
) -> None:
    first = attach(cases)
    second = attach(cases, case=cases.a_resolved)

    assert second.pk != first.pk
    assert second.file.name == first.file.name
    assert Recording.objects.count() == 2
    assert len(files_under(media_root)) == 1


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        ({"content": b""}, "content", "The file is empty."),
        ({"kind": "video"}, "kind", "Choose a recording or a transcript."),
        (
            {"kind": "transcript", "content": b"caf\xe9 latte"},
            "content",
            "A transcript must be UTF-8 text; byte 3 is not.",
        ),
        (
            {"kind": "transcript", "content": b"a\x00b"},
            "content",
            "The text contains NUL characters.",
        ),
        ({"source": "x" * 201}, "source", "At most 200 printable characters are allowed."),
    ],
    ids=["empty", "kind", "not-utf8", "nul", "source"],
)
def test_bad_input_is_refused_and_nothing_is_written(
    cases: Cases, media_root: Path, overrides: dict[str, object], path: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        attach(cases, **overrides)

    assert [(error.path, error.message) for error in refused.value.errors] == [(path, message)]
    assert Recording.objects.count() == 0
    assert files_under(media_root) == []
    assert attached_count() == 0


def test_a_file_over_the_limit_is_refused(cases: Cases, settings: Settings) -> None:
    settings.PACTLINE_RECORDING_MAX_BYTES = 2 * 1024 * 1024
    limit = 2 * 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        attach(cases, b"x" * (limit + 1))
    assert refused.value.errors[0].message == "The file is larger than the limit of 2.0\xa0MB."
    assert attach(cases, b"x" * limit).size == limit


def test_the_default_limit_is_500_megabytes() -> None:
    assert max_bytes() == 500 * 1024 * 1024


def test_the_same_bytes_are_fine_as_a_recording(cases: Cases) -> None:
    assert attach(cases, b"caf\xe9 latte").size == 10


def test_names_and_types_are_cleaned(cases: Cases) -> None:
    recording = attach(
        cases, name="C:\\calls\\..\\evil\x07.MP3", content_type="audio/MPEG; codecs=x"
    )
    assert recording.original_name == "evil.MP3"
    assert recording.content_type == "audio/mpeg"
    assert recording.file.name.endswith(".mp3")
    odd = attach(cases, b"other", name="no-extension", content_type="not a type")
    assert odd.content_type == "application/octet-stream"
    assert odd.file.name.endswith(".bin")


def test_only_those_who_work_the_clients_cases_may_attach(cases: Cases) -> None:
    world = cases.world
    with pytest.raises(Forbidden):
        attach(cases, actor=world.client_a_manager.actor)
    with pytest.raises(NotFound):
        attach(cases, actor=world.client_b_agent.actor)
    assert attach(cases, actor=SYSTEM).pk is not None
    assert attach(cases, b"2", actor=world.supervisor.actor).pk is not None


def test_a_chinese_transcript_is_redacted(cases: Cases, media_root: Path) -> None:
    text = "客户：我的卡号是 6222021234567890128，安全码是 456，有效期至 08/27。\n"
    recording = attach(
        cases, text.encode(), kind="transcript", name="通话记录.txt", content_type="text/plain"
    )
    expected = "客户：我的卡号是 [card …0128]，安全码是 [security code removed]，有效期至 [expiry removed]。\n"
    assert recording.transcript_text == expected
    assert (media_root / recording.file.name).read_text(encoding="utf-8") == expected
    assert recording.original_name == "通话记录.txt"

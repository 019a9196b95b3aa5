"""Client requests → provider approves → client downloads, through the pages; and every way a
download link is refused. Every view and download is audited (exact counts)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from pactline.audit.models import AuditEvent
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
)
from pactline.channels.recordings.tests.support import AUDIO, TRANSCRIPT_REDACTED
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.privacy.services import (
    SIGNING_SALT,
    LinkInvalid,
    LinkRefused,
    material_decide,
    material_download_url,
    material_open,
    material_request,
)
from pactline.privacy.tests.support import (  # noqa: F401 - fixture
    Materials,
    audit_counts,
    body,
    download_links,
    main_text,
    materials_fixture,
)

NONE = dict.fromkeys(
    (
        "recording.attached",
        "material.requested",
        "material.approved",
        "material.rejected",
        "material.downloaded",
        "material.viewed",
        "material.download_refused",
    ),
    0,
)


def test_request_approve_download_through_the_pages(materials: Materials) -> None:
    world = materials.world
    before = audit_counts()
    manager = as_persona(world, "client_a_manager")
    supervisor = as_persona(world, "supervisor")

    # The client asks for the audio recording.
    portal = manager.get("/clients/client-a/materials/")
    assert portal.status_code == 200
    assert "call-1.wav" in main_text(portal.content)
    assert portal["Cache-Control"].startswith("max-age=0")
    response = manager.post(
        f"/materials/recordings/{materials.audio.pk}/request/", {"reason": "Complaint 4711"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/clients/client-a/materials/"
    asked = MaterialRequest.objects.get(recording=materials.audio)
    assert asked.status == RequestStatus.REQUESTED
    assert asked.requested_by_label == "user:a-manager"
    assert asked.reason == "Complaint 4711"

    # The provider approves it for 48 hours.
    desk = supervisor.get("/materials/requests/")
    assert f'id="request-{asked.pk}"' in main_text(desk.content)
    approved_at = timezone.now()
    response = supervisor.post(
        f"/materials/requests/{asked.pk}/approve/", {"valid_hours": "48", "note": "ok"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/materials/requests/"
    asked.refresh_from_db()
    assert asked.status == RequestStatus.APPROVED
    assert asked.decided_by_label == "user:sup"
    assert asked.decision_note == "ok"
    assert asked.decided_at is not None and asked.link_expires_at is not None
    assert asked.link_expires_at - asked.decided_at == timedelta(hours=48)
    assert asked.decided_at >= approved_at
    # The desk no longer lists it as pending.
    assert f'id="request-{asked.pk}"' not in main_text(
        supervisor.get("/materials/requests/").content
    )

    # The client downloads it, twice; the bytes are the recording's.
    links = download_links(main_text(manager.get("/clients/client-a/materials/").content))
    assert len(links) == 2  # the transcript (approved in the fixture) and the recording
    for _round in range(2):
        downloads = [manager.get(link) for link in links]
        assert [d.status_code for d in downloads] == [200, 200]
        contents = sorted((body(d) for d in downloads), key=len)
        assert contents == [TRANSCRIPT_REDACTED.encode(), AUDIO]
    response = manager.get(links[0])
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body(response)

    after = audit_counts()
    delta = {action: after[action] - before[action] for action in after}
    assert delta == NONE | {
        "material.requested": 1,
        "material.approved": 1,
        "material.downloaded": 5,
    }
    downloaded = AuditEvent.objects.filter(action="material.downloaded").order_by("id")
    assert {event.actor_label for event in downloaded} == {"user:a-manager"}
    assert {event.client_id for event in downloaded} == {world.client_a.pk}


def test_the_download_carries_name_type_and_no_store(materials: Materials) -> None:
    manager = as_persona(materials.world, "client_a_manager")
    response = manager.get(materials.link)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="chat-7.txt"'
    assert response["Cache-Control"] == "no-store"
    assert body(response) == TRANSCRIPT_REDACTED.encode()
    event = AuditEvent.objects.get(action="material.downloaded")
    assert event.object_type == "Recording"
    assert event.object_id == str(materials.transcript.pk)
    assert event.payload == {
        "request": materials.approved.pk,
        "size": materials.transcript.size,
        "sha256": materials.transcript.sha256,
    }


def test_an_expired_link_is_refused(materials: Materials) -> None:
    manager = as_persona(materials.world, "client_a_manager")
    expires = materials.approved.link_expires_at
    assert expires is not None

    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        ok = manager.get(materials.link)
        assert ok.status_code == 200
        body(ok)
    with time_machine.travel(expires + timedelta(seconds=1), tick=False):
        refused = manager.get(materials.link)
        portal = main_text(manager.get("/clients/client-a/materials/").content)

    assert refused.status_code == 403
    assert "This download link has expired" in main_text(refused.content)
    assert refused["Cache-Control"] == "no-store"
    assert download_links(portal) == []
    assert "Link expired" in portal
    assert audit_counts() == NONE | {
        "recording.attached": 3,
        "material.requested": 3,
        "material.approved": 1,
        "material.downloaded": 1,
        "material.download_refused": 1,
    }
    event = AuditEvent.objects.get(action="material.download_refused")
    assert event.payload == {"recording": materials.transcript.pk, "reason": "expired"}


def test_a_link_expires_with_its_approval_not_a_day_later(materials: Materials) -> None:
    """A link issued an hour before the approval ends dies with the approval."""
    world = materials.world
    expires = materials.approved.link_expires_at
    assert expires is not None
    with time_machine.travel(expires - timedelta(hours=1), tick=False):
        late_link = material_download_url(
            actor=world.client_a_manager.actor, request=materials.approved
        )
    with time_machine.travel(expires + timedelta(minutes=1), tick=False):
        response = as_persona(world, "client_a_manager").get(late_link)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "status", "message"),
    [
        ("client_a_viewer", 403, "This link belongs to another user"),
        ("provider_admin", 403, "This link belongs to another user"),
        ("client_a_agent", 403, "This link belongs to another user"),
        ("client_b_manager", 404, "This download link is not valid"),
    ],
)
def test_a_link_used_by_another_user_is_refused(
    materials: Materials, persona: str, status: int, message: str
) -> None:
    response = as_persona(materials.world, persona).get(materials.link)

    assert response.status_code == status
    assert message in main_text(response.content)
    counts = audit_counts()
    assert counts["material.downloaded"] == 0
    assert counts["material.download_refused"] == 1
    event = AuditEvent.objects.get(action="material.download_refused")
    assert event.payload["reason"] == "other_user"


def test_anonymous_is_sent_to_sign_in(materials: Materials) -> None:
    response = as_persona(materials.world, "anonymous").get(materials.link)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/materials/download/")
    assert audit_counts()["material.downloaded"] == 0


def _tampered(link: str) -> list[str]:
    token = link.removeprefix("/materials/download/").removesuffix("/")
    payload, timestamp, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_salt = signing.TimestampSigner(salt="another.salt").sign_object({"r": 1, "u": 1})
    forged = signing.dumps({"r": 1, "u": 1})
    return [
        f"{payload}:{timestamp}:{flipped}",
        f"{payload}x:{timestamp}:{signature}",
        f"{payload}:{timestamp}",
        other_salt,
        forged,
        "garbage",
    ]


def test_a_tampered_link_is_refused(materials: Materials) -> None:
    manager = as_persona(materials.world, "client_a_manager")
    for token in _tampered(materials.link):
        response = manager.get(f"/materials/download/{token}/")
        assert response.status_code == 404, token
        assert "This download link is not valid" in main_text(response.content)
    assert audit_counts()["material.downloaded"] == 0
    assert audit_counts()["material.download_refused"] == 0


def test_a_link_naming_a_missing_request_is_refused(materials: Materials) -> None:
    token = signing.TimestampSigner(salt=SIGNING_SALT).sign_object({"r": 999_999, "u": 1})
    with pytest.raises(LinkInvalid):
        material_open(actor=materials.world.client_a_manager.actor, token=token)


def test_a_rejected_request_gives_no_link(materials: Materials) -> None:
    world = materials.world
    supervisor = as_persona(world, "supervisor")
    viewer = as_persona(world, "client_a_viewer")

    response = supervisor.post(
        f"/materials/requests/{materials.pending.pk}/reject/", {"note": "Not covered"}
    )
    assert response.status_code == 302
    materials.pending.refresh_from_db()
    assert materials.pending.status == RequestStatus.REJECTED
    assert materials.pending.link_expires_at is None

    portal = main_text(viewer.get("/clients/client-a/materials/").content)
    assert download_links(portal) == []
    assert "Not covered" in portal
    with pytest.raises(LinkRefused) as refused:
        material_download_url(actor=world.client_a_viewer.actor, request=materials.pending)
    assert refused.value.reason == "not_approved"

    # Even a correctly signed token for it opens nothing.
    token = signing.TimestampSigner(salt=SIGNING_SALT).sign_object(
        {"r": materials.pending.pk, "u": world.client_a_viewer.user.pk}
    )
    response = viewer.get(f"/materials/download/{token}/")
    assert response.status_code == 403
    assert "This material is not approved for download" in main_text(response.content)
    assert audit_counts()["material.downloaded"] == 0
    assert audit_counts()["material.rejected"] == 1


def test_a_pending_request_gives_no_link(materials: Materials) -> None:
    with pytest.raises(LinkRefused):
        material_download_url(
            actor=materials.world.client_a_viewer.actor, request=materials.pending
        )


def test_the_portal_shows_a_link_only_to_the_user_who_asked(materials: Materials) -> None:
    viewer = main_text(
        as_persona(materials.world, "client_a_viewer").get("/clients/client-a/materials/").content
    )
    assert download_links(viewer) == []
    assert "For the person who asked" in viewer
    manager = main_text(
        as_persona(materials.world, "client_a_manager").get("/clients/client-a/materials/").content
    )
    assert len(download_links(manager)) == 1
    # Client B's request and recording stay with client B.
    assert "质量检查" not in manager and "呼叫.mp3" not in manager


def test_viewing_a_transcript_in_the_provider_ui_is_audited(materials: Materials) -> None:
    agent = as_persona(materials.world, "client_a_agent")

    page = agent.get(f"/materials/recordings/{materials.transcript.pk}/")
    agent.get(f"/materials/recordings/{materials.transcript.pk}/")
    audio_page = agent.get(f"/materials/recordings/{materials.audio.pk}/")
    file = agent.get(f"/materials/recordings/{materials.audio.pk}/file/")

    assert page.status_code == audio_page.status_code == file.status_code == 200
    html = main_text(page.content)
    assert "[card …1111]" in html and "4111 1111" not in html
    assert body(file) == AUDIO
    assert file["Content-Disposition"] == 'attachment; filename="call-1.wav"'
    assert file["Cache-Control"] == "no-store"
    counts = audit_counts()
    assert counts["material.viewed"] == 2  # the audio page shows no transcript: not a view
    assert counts["material.downloaded"] == 1
    viewed = AuditEvent.objects.filter(action="material.viewed")
    assert {event.actor_label for event in viewed} == {"user:a-agent"}
    assert {event.object_id for event in viewed} == {str(materials.transcript.pk)}


def test_listing_materials_is_not_a_view(materials: Materials) -> None:
    for persona, url in (
        ("client_a_manager", "/clients/client-a/materials/"),
        ("supervisor", "/materials/requests/"),
    ):
        html = main_text(as_persona(materials.world, persona).get(url).content)
        assert "[card" not in html and "Agent: How can I help?" not in html
    assert audit_counts()["material.viewed"] == 0


def test_requests_are_idempotent_while_open(materials: Materials) -> None:
    viewer = materials.world.client_a_viewer.actor
    again = material_request(actor=viewer, recording=materials.transcript, reason="Again")
    assert again.pk == materials.pending.pk
    manager = materials.world.client_a_manager.actor
    assert (
        material_request(actor=manager, recording=materials.transcript, reason="x").pk
        == materials.approved.pk
    )
    assert audit_counts()["material.requested"] == 3

    material_decide(
        actor=materials.world.supervisor.actor, request=materials.pending, approve=False
    )
    renewed = material_request(actor=viewer, recording=materials.transcript, reason="Again")
    assert renewed.pk != materials.pending.pk
    assert renewed.status == RequestStatus.REQUESTED
    assert audit_counts()["material.requested"] == 4


def test_a_reason_is_required_and_card_data_is_removed(materials: Materials) -> None:
    actor = materials.world.client_a_manager.actor
    with pytest.raises(ValidationFailed) as refused:
        material_request(actor=actor, recording=materials.audio, reason="  ")
    assert [error.path for error in refused.value.errors] == ["reason"]
    created = material_request(
        actor=actor, recording=materials.audio, reason="Card 4111111111111111 was read out"
    )
    assert created.reason == "Card [card …1111] was read out"


def test_deciding_twice(materials: Materials) -> None:
    supervisor = materials.world.supervisor.actor
    first = material_decide(actor=supervisor, request=materials.pending, approve=True)
    again = material_decide(actor=supervisor, request=materials.pending, approve=True)
    assert again.link_expires_at == first.link_expires_at
    with pytest.raises(Conflict):
        material_decide(actor=supervisor, request=materials.pending, approve=False)
    assert audit_counts()["material.approved"] == 2  # the fixture's and this one
    assert audit_counts()["material.rejected"] == 0


@pytest.mark.parametrize("hours", [0, 721, -5])
def test_the_link_validity_is_bounded(materials: Materials, hours: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        material_decide(
            actor=materials.world.supervisor.actor,
            request=materials.pending,
            approve=True,
            valid_hours=hours,
        )
    assert refused.value.errors[0].message == "Between 1 and 720 hours."
    materials.pending.refresh_from_db()
    assert materials.pending.status == RequestStatus.REQUESTED


def test_who_may_decide(materials: Materials) -> None:
    world = materials.world
    with pytest.raises(Forbidden):
        material_decide(actor=world.client_a_manager.actor, request=materials.pending, approve=True)
    with pytest.raises(Forbidden):
        material_decide(actor=world.client_a_agent.actor, request=materials.pending, approve=True)
    with pytest.raises(NotFound):
        material_decide(actor=world.client_b_agent.actor, request=materials.pending, approve=True)
    assert material_decide(
        actor=world.provider_admin.actor, request=materials.pending, approve=True
    ).status == (RequestStatus.APPROVED)


def test_a_user_who_lost_the_role_cannot_use_the_link(materials: Materials) -> None:
    world = materials.world
    user = world.client_a_manager.user
    assert user is not None
    user.memberships.all().delete()
    response = as_persona(world, "client_a_manager").get(materials.link)
    assert response.status_code == 404
    assert audit_counts()["material.downloaded"] == 0


def test_a_missing_file_is_a_clear_404(materials: Materials) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(materials.transcript.file.name)
    response = as_persona(materials.world, "client_a_manager").get(materials.link)
    assert response.status_code == 404
    assert "The file is no longer stored" in main_text(response.content)
    assert audit_counts()["material.downloaded"] == 0


def test_download_links_are_bound_to_the_request_and_user(materials: Materials) -> None:
    token = materials.link.split("/")[3]
    assert signing.TimestampSigner(salt=SIGNING_SALT).unsign_object(token) == {
        "r": materials.approved.pk,
        "u": materials.world.client_a_manager.user.pk,
    }
    assert re.fullmatch(r"/materials/download/[A-Za-z0-9_:-]+/", materials.link)


def test_the_pages_speak_chinese(materials: Materials) -> None:
    http = as_persona(materials.world, "client_a_manager")
    html = main_text(
        http.get("/clients/client-a/materials/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    )
    assert "录音与文字记录" in html and "Recordings and transcripts" not in html
    refused = http.get("/materials/download/garbage/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "此下载链接无效" in main_text(refused.content)

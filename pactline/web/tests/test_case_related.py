"""The case page's sections from the apps above cases: its calls (and the caller's other
calls), its recordings and transcripts with each role's actions, and its email sources. Who
sees what, per persona; a user of client B never sees anything of client A."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.contacts import contact_find_or_create
from pactline.cases.models import Case
from pactline.cases.services import case_open
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
)
from pactline.channels.email.services import email_receive
from pactline.channels.recordings.tests.support import TRANSCRIPT_REDACTED
from pactline.channels.voice.models import Call
from pactline.channels.voice.records import CallRecord
from pactline.channels.voice.writing import BatchWriter
from pactline.privacy.models import MaterialRequest
from pactline.privacy.tests.support import (  # noqa: F401 - fixture
    Materials,
    body,
    materials_fixture,
)
from pactline.tenancy.access import system_actor

SYSTEM = system_actor("test")
HTMX = {"HTTP_HX_REQUEST": "true"}
READS_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | CASE_READERS
SEES_A = READS_A | PROVIDER_READERS  # billing sees client A but not its cases (403)
JANE = "+15551234567"
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _section(materials: Materials, persona: str, case: Case | None = None) -> str:
    case = case or materials.cases.a
    response = as_persona(materials.world, persona).get(f"/cases/{case.pk}/materials/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="case-materials"' in html
    return html


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_case_page_loads_the_sections(cases: Cases) -> None:
    html = as_persona(cases.world, "client_a_viewer").get(f"/cases/{cases.a.pk}/").content.decode()
    assert f'hx-get="/cases/{cases.a.pk}/calls/"' in html
    assert f'hx-get="/cases/{cases.a.pk}/materials/"' in html
    assert f'href="/cases/{cases.a.pk}/materials/"' in html  # without htmx: a link


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("section", ["calls", "materials"])
def test_who_may_load_the_sections_of_client_as_case(
    materials: Materials, persona: str, section: str
) -> None:
    response = as_persona(materials.world, persona).get(
        f"/cases/{materials.cases.a.pk}/{section}/", **HTMX
    )
    if persona == "anonymous":
        expected = 302
    else:
        expected = 200 if persona in READS_A else 403 if persona in SEES_A else 404
    assert response.status_code == expected
    if expected != 200:
        html = response.content.decode()
        assert "call-1.wav" not in html and "chat-7.txt" not in html


def test_client_b_sees_its_own_recordings_and_nothing_of_client_a(materials: Materials) -> None:
    for persona in ("client_b_manager", "client_b_agent"):
        html = _section(materials, persona, materials.cases.b)
        assert f'id="material-{materials.b_audio.pk}"' in html
        assert "呼叫.mp3" in html
        for recording in (materials.audio, materials.transcript):
            assert f'id="material-{recording.pk}"' not in html
        assert "call-1.wav" not in html and "chat-7.txt" not in html
        assert "/materials/download/" not in html


def test_an_agent_attaches_opens_and_downloads(materials: Materials) -> None:
    html = _section(materials, "client_a_agent")
    audio, transcript = materials.audio, materials.transcript
    links = _links(html)
    assert f"/cases/{materials.cases.a.pk}/materials/new/" in links  # attach
    for recording in (audio, transcript):
        assert f'id="material-{recording.pk}"' in html
        assert f"/materials/recordings/{recording.pk}/" in links
        assert f"/materials/recordings/{recording.pk}/file/" in links
    assert "/materials/download/" not in html  # no request links: direct downloads
    assert 'name="reason"' not in html
    assert "/materials/requests/" not in links  # not an approver
    assert "request waiting" not in html


def test_a_supervisor_also_sees_requests_waiting_for_a_decision(materials: Materials) -> None:
    html = _section(materials, "supervisor")
    assert "1 request waiting" in html  # the viewer's request for the transcript
    assert "/materials/requests/" in _links(html)
    assert f"/materials/recordings/{materials.audio.pk}/file/" in _links(html)


def test_a_client_manager_requests_or_downloads_what_was_approved(materials: Materials) -> None:
    html = _section(materials, "client_a_manager")
    audio, transcript = materials.audio, materials.transcript
    links = _links(html)
    # The transcript: approved for the manager, so a signed, expiring download link.
    [download] = [link for link in links if link.startswith("/materials/download/")]
    assert f"/materials/recordings/{transcript.pk}/" not in links
    assert f"/materials/recordings/{audio.pk}/file/" not in links
    # The audio: not requested yet, so the request form, coming back to the case page.
    assert f'action="/materials/recordings/{audio.pk}/request/"' in html
    assert f'name="next" value="/cases/{materials.cases.a.pk}/"' in html
    assert f'action="/materials/recordings/{transcript.pk}/request/"' not in html
    assert "/materials/new/" not in html  # no attaching for clients
    assert "/clients/client-a/materials/" in links
    response = as_persona(materials.world, "client_a_manager").get(download)
    assert response.status_code == 200
    assert body(response).decode() == TRANSCRIPT_REDACTED


def test_a_client_viewer_sees_the_pending_request(materials: Materials) -> None:
    html = _section(materials, "client_a_viewer")
    row = html.split(f'id="material-{materials.transcript.pk}"')[1].split("</tr>")[0]
    assert "Requested" in row and f"#{materials.pending.pk}" in row
    assert "/materials/download/" not in html
    assert f'action="/materials/recordings/{materials.audio.pk}/request/"' in html


def test_a_request_from_the_case_page_comes_back_to_it(materials: Materials) -> None:
    http = as_persona(materials.world, "client_a_manager")
    case = materials.cases.a
    response = http.post(
        f"/materials/recordings/{materials.audio.pk}/request/",
        {"reason": "Complaint review", "next": f"/cases/{case.pk}/"},
    )
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    assert (
        MaterialRequest.objects.filter(recording=materials.audio, status="requested").count() == 1
    )
    # A redirect off the site is not followed.
    response = http.post(
        f"/materials/recordings/{materials.audio.pk}/request/",
        {"reason": "Again", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/clients/client-a/materials/"


def test_without_htmx_a_section_is_a_page(materials: Materials) -> None:
    response = as_persona(materials.world, "client_a_agent").get(
        f"/cases/{materials.cases.a.pk}/materials/"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and 'id="case-materials"' in html
    assert "no-store" in response["Cache-Control"]


def test_email_sources_are_listed_for_who_works_the_case(cases: Cases) -> None:
    raw = (
        b"From: Maria <maria@example.com>\r\nTo: care@northwind-retail.example\r\n"
        b"Subject: Help\r\nMessage-ID: <m-1@example.com>\r\n\r\nHello\r\n"
    )
    [delivery] = email_receive(
        actor=SYSTEM, raw=raw, mail_from="", rcpt_tos=["care@northwind-retail.example"]
    )
    assert delivery.message is not None
    case = Case.objects.get(pk=delivery.message.case_id)
    source = f"/email/messages/{delivery.message.pk}/source/"
    agent = as_persona(cases.world, "client_a_agent").get(f"/cases/{case.pk}/materials/", **HTMX)
    assert source in _links(agent.content.decode())
    manager = as_persona(cases.world, "client_a_manager").get(
        f"/cases/{case.pk}/materials/", **HTMX
    )
    assert "/email/" not in manager.content.decode()


def _calls_world(cases: Cases) -> tuple[Case, dict[str, Call]]:
    a = cases.world.client_a
    jane = contact_find_or_create(actor=SYSTEM, client=a, phone=JANE, now=T0).contact
    case = case_open(
        actor=SYSTEM, client=a, channel="phone", priority="normal", contact=jane, at=T0, now=T0
    )
    other = case_open(actor=SYSTEM, client=a, channel="phone", priority="normal", at=T0, now=T0)
    writer = BatchWriter(a.id, now=T0)
    writer.flush(
        [
            CallRecord(
                call_id="linked",
                source="events",
                caller_number=JANE,
                entered_at=T0,
                talk_seconds=95,
                outcome="answered",
                queue="support",
            )
        ]
    )
    # Jane's earlier call, before her case: linked to another case by hand, and one with none.
    Case.objects.filter(pk=case.pk).update(status="resolved")
    writer.flush(
        [
            CallRecord(
                call_id="elsewhere",
                source="events",
                caller_number=JANE,
                entered_at=T0 - timedelta(days=2),
                outcome="abandoned",
            ),
            CallRecord(
                call_id="caseless",
                source="events",
                caller_number=JANE,
                entered_at=T0 - timedelta(days=1),
                outcome="abandoned",
            ),
        ]
    )
    Case.objects.filter(pk=case.pk).update(status="open")
    Call.objects.filter(call_id="elsewhere").update(case=other)
    # Client B has a caller with the same number: never shown on client A's case.
    b = cases.world.client_b
    contact_find_or_create(actor=SYSTEM, client=b, phone=JANE, now=T0)
    BatchWriter(b.id, now=T0).flush(
        [CallRecord(call_id="b-call", source="events", caller_number=JANE, entered_at=T0)]
    )
    return case, {call.call_id: call for call in Call.objects.all()}


def test_the_calls_of_a_case_and_of_its_caller(cases: Cases) -> None:
    case, calls = _calls_world(cases)
    assert calls["linked"].case_id == case.pk
    assert calls["caseless"].case_id is None
    html = (
        as_persona(cases.world, "client_a_viewer")
        .get(f"/cases/{case.pk}/calls/", **HTMX)
        .content.decode()
    )
    linked, other = html.split("Other calls from this caller")
    assert f'id="call-{calls["linked"].pk}"' in linked
    assert "1 min 35 s" in linked and "support" in linked
    assert f'id="call-{calls["caseless"].pk}"' in other
    assert f'id="call-{calls["elsewhere"].pk}"' in other
    assert f'href="/cases/{calls["elsewhere"].case_id}/"' in other
    assert "no case" in other
    assert f'id="call-{calls["b-call"].pk}"' not in html
    # Client B's users cannot open client A's case's calls at all.
    response = as_persona(cases.world, "client_b_manager").get(f"/cases/{case.pk}/calls/", **HTMX)
    assert response.status_code == 404


def test_a_case_without_calls_says_so(cases: Cases) -> None:
    html = (
        as_persona(cases.world, "client_a_agent")
        .get(f"/cases/{cases.a.pk}/calls/", **HTMX)
        .content.decode()
    )
    assert "No call is linked to this case." in html
    assert "Other calls from this caller" not in html  # the case has no contact

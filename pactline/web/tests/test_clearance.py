"""Clearance is part of access on every path to a client's data. An agent of the provider who
holds the agent's role for client A but is not cleared for it (no certification, no signed
confidentiality agreement) gets the same 404 as for another client's data on the case page and
its sections, the console, the API, recordings and transcripts, raw email, the chat desk and the
knowledge base; their writes change nothing and send nothing; client A's cases are absent from
their lists. Once certified and bound, the same requests succeed.

Client users never read the provider's internal notes, on any page, partial or API."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from conftest import make_user
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.cases.selectors import case_timeline
from pactline.cases.services import case_note
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
    snapshot,
)
from pactline.channels.chat.models import ChatMessage
from pactline.channels.chat.tests.support import start
from pactline.channels.email.models import EmailMessage
from pactline.channels.email.services import email_receive
from pactline.common.errors import Forbidden
from pactline.knowledge.selectors import knowledge_article_list
from pactline.privacy.tests.support import (  # noqa: F401 - fixture
    Materials,
    body,
    materials_fixture,
)
from pactline.tenancy.access import actor_for_token, actor_for_user, system_actor
from pactline.tenancy.models import ApiToken, Membership, Role, TokenScope
from pactline.tenancy.services import api_token_create
from pactline.workforce.tests.support import bind, certify, enable

SYSTEM = system_actor("test")
HTMX = {"HTTP_HX_REQUEST": "true"}
NOTE = "Customer is a known chargeback risk; check with the team lead."


@pytest.fixture(autouse=True)
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@dataclass(frozen=True)
class Scene:
    materials: Materials
    dan: User  # an agent of client A, not cleared for it
    case: Case  # client A's email case with a raw source
    email: EmailMessage
    chat_session_id: int


@pytest.fixture(name="scene")
def scene_fixture(materials: Materials) -> Scene:
    world = materials.world
    raw = (
        b"From: Maria <maria@example.com>\r\nTo: care@northwind-retail.example\r\n"
        b"Subject: Broken kettle\r\nMessage-ID: <kettle-1@example.com>\r\n\r\nIt leaks.\r\n"
    )
    [delivery] = email_receive(
        actor=SYSTEM, raw=raw, mail_from="", rcpt_tos=["care@northwind-retail.example"]
    )
    assert delivery.message is not None
    case = Case.objects.get(pk=delivery.message.case_id)
    chat = start(world.client_a, message="Where is my parcel?")
    dan = make_user("dan", (Role.AGENT, world.client_a))
    return Scene(materials, dan, case, delivery.message, chat.session.pk)


def _http(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _reads(scene: Scene) -> dict[str, tuple[str, dict[str, str]]]:
    m = scene.materials
    a, case = m.cases.a, scene.case
    return {
        "case page": (f"/cases/{case.pk}/", {}),
        "case calls": (f"/cases/{a.pk}/calls/", HTMX),
        "case materials": (f"/cases/{a.pk}/materials/", HTMX),
        "console case": (f"/console/cases/{case.pk}/", {}),
        "case API": (f"/api/v1/cases/{case.pk}/clocks", {}),
        "recording page": (f"/materials/recordings/{m.audio.pk}/", {}),
        "recording file": (f"/materials/recordings/{m.audio.pk}/file/", {}),
        "transcript file": (f"/materials/recordings/{m.transcript.pk}/file/", {}),
        "raw email": (f"/email/messages/{scene.email.pk}/source/", {}),
        "chat desk session": (f"/chat/sessions/{scene.chat_session_id}/", {}),
        "chat API": (f"/api/v1/chats/sessions/{scene.chat_session_id}", {}),
        "knowledge base": ("/clients/client-a/knowledge/", {}),
        "client": ("/clients/client-a/", {}),
    }


def _lists(http: HttpClient) -> str:
    pages = ["/cases/", "/console/", "/console/rows/", "/chat/sessions/", "/chat/sessions/rows/"]
    return "".join(http.get(url).content.decode() for url in pages)


def test_an_uncleared_agent_gets_404_everywhere_then_200_once_cleared(scene: Scene) -> None:
    http = _http(scene.dan)
    for name, (url, headers) in _reads(scene).items():
        response = http.get(url, **headers)
        assert response.status_code == 404, name
        assert b"Broken kettle" not in getattr(response, "content", b""), name

    lists = _lists(http)
    assert "Broken kettle" not in lists and "Where is my order?" not in lists
    assert "Where is my parcel?" not in lists
    assert http.get("/cases/?client=client-a").status_code == 404

    enable(scene.dan, scene.materials.world.client_a)
    for name, (url, headers) in _reads(scene).items():
        response = http.get(url, **headers)
        assert response.status_code == 200, name
        if hasattr(response, "streaming_content"):
            body(response)
    assert "Broken kettle" in _lists(http)


def test_an_uncleared_agents_writes_change_and_send_nothing(scene: Scene) -> None:
    http = _http(scene.dan)
    case = scene.case
    before = (snapshot(), ChatMessage.objects.count(), len(mail.outbox))
    writes = [
        (f"/cases/{case.pk}/reply/", {"body": "We will replace it."}),
        (f"/cases/{case.pk}/status/", {"status": "pending"}),
        (f"/cases/{case.pk}/resolve/", {}),
        (f"/console/cases/{case.pk}/reply/", {"body": "We will replace it."}),
        (f"/console/cases/{case.pk}/note/", {"body": "note"}),
        (f"/chat/sessions/{scene.chat_session_id}/reply/", {"body": "Hello"}),
        (f"/cases/{scene.materials.cases.a.pk}/materials/new/", {}),
    ]
    for url, data in writes:
        assert http.post(url, data).status_code == 404, url
    response = http.post(
        f"/api/v1/cases/{case.pk}/surveys",
        data={"external_id": "s-1", "csat": 5},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert (snapshot(), ChatMessage.objects.count(), len(mail.outbox)) == before

    enable(scene.dan, scene.materials.world.client_a)
    response = http.post(f"/cases/{case.pk}/reply/", {"body": "We will replace it."})
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.AGENT_REPLY).count() == 1


def test_an_uncleared_agents_api_token_sees_nothing_either(scene: Scene) -> None:
    world = scene.materials.world
    raw = "pl_0badc0de_dans-script"
    ApiToken.objects.create(
        client=world.client_a,
        created_by=scene.dan,
        # Issued under the agent's own membership: the token lives as long as it does.
        membership=Membership.objects.filter(user=scene.dan).first(),
        name="dan's script",
        scope=TokenScope.WRITE,
        prefix="0badc0de",
        digest=hashlib.sha256(raw.encode()).hexdigest(),
    )
    http = HttpClient(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/cases/{scene.case.pk}/clocks"
    assert http.get(url).status_code == 404
    enable(scene.dan, world.client_a)
    assert http.get(url).status_code == 200


def test_an_expired_certification_is_no_clearance(scene: Scene) -> None:
    a = scene.materials.world.client_a
    certify(scene.dan, a, certified_on=date(2025, 1, 6), expires_on=date(2025, 7, 1))
    bind(scene.dan, a)
    assert _http(scene.dan).get(f"/cases/{scene.case.pk}/").status_code == 404


def test_the_knowledge_base_judges_an_agents_clearance_at_the_instant_it_reads(
    scene: Scene,
) -> None:
    a = scene.materials.world.client_a
    certify(scene.dan, a, certified_on=date(2025, 1, 6), expires_on=date(2025, 7, 1))
    bind(scene.dan, a, signed_on=date(2025, 1, 6))
    cleared_then = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    actor = actor_for_user(scene.dan, at=cleared_then)
    assert list(knowledge_article_list(actor=actor, client=a, now=cleared_then)) == []
    with pytest.raises(Forbidden):  # the certification has expired by then
        knowledge_article_list(actor=actor, client=a, now=datetime(2025, 7, 1, 12, tzinfo=UTC))


def test_supervisors_and_cleared_agents_are_unaffected(scene: Scene) -> None:
    world = scene.materials.world
    for persona in ("supervisor", "provider_admin", "client_a_agent"):
        assert as_persona(world, persona).get(f"/cases/{scene.case.pk}/").status_code == 200


# Client users and internal notes.


@pytest.fixture(name="noted")
def noted_fixture(cases: Cases) -> Case:
    case_note(actor=SYSTEM, case=cases.a, body=NOTE)
    return cases.a


CLIENT_SIDE = ("client_a_manager", "client_a_viewer")
PROVIDER_SIDE = ("provider_admin", "supervisor", "client_a_agent")


def test_client_users_never_see_internal_notes_on_the_case_page(cases: Cases, noted: Case) -> None:
    for persona in CLIENT_SIDE:
        html = as_persona(cases.world, persona).get(f"/cases/{noted.pk}/").content.decode()
        assert "Where is my order?" in html  # the case itself is theirs to see
        assert NOTE not in html and "Internal note" not in html, persona
    for persona in PROVIDER_SIDE:
        html = as_persona(cases.world, persona).get(f"/cases/{noted.pk}/").content.decode()
        assert NOTE in html, persona


def test_the_timeline_selector_leaves_notes_out_for_client_actors(
    cases: Cases, noted: Case
) -> None:
    world = cases.world

    def kinds(actor: object) -> list[str]:
        items = case_timeline(actor=actor, case=noted)  # type: ignore[arg-type]
        return [item.entry.kind for item in items if item.entry is not None]

    for persona in CLIENT_SIDE:
        assert EntryKind.NOTE not in kinds(getattr(world, persona).actor)
    token, _raw = api_token_create(
        actor=world.client_a_manager.actor,
        client=world.client_a,
        name="portal",
        scope=TokenScope.READ,
    )
    assert EntryKind.NOTE not in kinds(actor_for_token(token))
    for persona in PROVIDER_SIDE:
        assert EntryKind.NOTE in kinds(getattr(world, persona).actor)
    assert EntryKind.NOTE in kinds(SYSTEM)
    assert world.client_a_manager.user is not None
    assert kinds(actor_for_user(world.client_a_manager.user)) == [EntryKind.CREATED]

"""Chat pages: the customer's embeddable chat (framing, token, htmx polling) and the agents'
desk with its authorization matrix."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import PERSONAS, PROVIDER_READERS
from pactline.cases.models import AuthorKind, EntryKind, TimelineEntry
from pactline.cases.tests.test_pages_support import as_persona
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.services import chat_message_add
from pactline.channels.chat.tests.support import (  # noqa: F401 - fixture
    A_ORIGIN,
    CARD,
    Chats,
    chats_fixture,
    snapshot,
)
from pactline.tenancy.models import Client

WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}
# Can see client A, may not work its cases.
SEES_A = {"client_a_manager", "client_a_viewer"} | PROVIDER_READERS
WORKS_ANY = {"provider_admin", "supervisor", "client_a_agent", "client_b_agent"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(chats: Chats) -> str:
    return f"/chat/client-a/s/{chats.a.token}/"


# --- Customer -------------------------------------------------------------------------------


def test_the_start_page_may_be_framed_only_by_the_clients_chat_site(chats: Chats) -> None:
    response = HttpClient().get("/chat/client-a/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {A_ORIGIN}" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'name="email"' in response.content.decode()


def test_other_pages_stay_unframeable(chats: Chats) -> None:
    response = as_persona(chats.world, "client_a_agent").get("/chat/sessions/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_client_without_chat_has_no_chat_page(chats: Chats) -> None:
    Client.objects.create(code="client-c", name="Client C")
    http = HttpClient()
    assert http.get("/chat/client-c/").status_code == 404
    assert http.get("/chat/no-such-client/").status_code == 404
    before = snapshot()
    assert (
        http.post("/chat/client-c/", {"name": "Eve", "email": "e@example.com"}).status_code == 404
    )
    assert snapshot() == before


def test_starting_a_chat_opens_a_case_and_leads_to_the_conversation(chats: Chats) -> None:
    http = HttpClient(enforce_csrf_checks=True)  # a third-party frame has no CSRF cookie
    response = http.post(
        "/chat/client-a/",
        {"name": "Grace Hopper", "email": "grace@example.com", "message": f"pay with {CARD}"},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/chat/client-a/s/")
    session = ChatSession.objects.latest("id")
    assert session.customer_name == "Grace Hopper"
    page = http.get(location)
    html = page.content.decode()
    assert page.status_code == 200
    assert "pay with [card …1111]" in html
    assert CARD not in html
    assert page["Cache-Control"] == "no-store"


def test_bad_start_input_is_a_400_naming_the_field(chats: Chats) -> None:
    before = snapshot()
    response = HttpClient().post("/chat/client-a/", {"name": "Eve", "email": "nope"})
    assert response.status_code == 400
    assert 'class="field field-invalid"' in response.content.decode()
    assert "valid email address" in response.content.decode()
    assert snapshot() == before


def test_the_customer_sends_with_htmx_and_gets_the_panel_back(chats: Chats) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(_page(chats) + "send/", {"text": "Any news?"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="chat-panel chat-viewer-customer" id="chat-panel">')
    assert "Any news?" in html
    assert ChatMessage.objects.filter(session=chats.a.session).count() == 2


def test_an_empty_message_is_refused_with_the_reason(chats: Chats) -> None:
    before = snapshot()
    response = HttpClient().post(_page(chats) + "send/", {"text": "   "}, **HTMX)
    assert response.status_code == 400
    assert "write a message first" in response.content.decode()
    assert snapshot() == before


def test_polling_answers_204_until_something_changes(chats: Chats) -> None:
    http = HttpClient()
    page = http.get(_page(chats)).content.decode()
    seq = ChatMessage.objects.get(session=chats.a.session).change_seq
    assert f"log/?after={seq}&amp;ended=0" in page
    log = _page(chats) + f"log/?after={seq}&ended=0"
    assert http.get(log).status_code == 204
    chat_message_add(
        actor=chats.world.client_a_agent.actor,
        session=chats.a.session,
        author_kind=AuthorKind.AGENT,
        author_label="Sam",
        text="Hello Ada, let me check.",
    )
    fresh = http.get(log)
    assert fresh.status_code == 200
    html = fresh.content.decode()
    assert html.lstrip().startswith('<div id="chat-log"')
    assert "Hello Ada, let me check." in html and "Sam" in html


def test_the_customer_can_end_the_chat(chats: Chats) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    assert http.post(_page(chats) + "end/").status_code == 302
    html = http.get(_page(chats)).content.decode()
    assert "This chat has ended." in html
    assert 'hx-trigger="every' not in html
    response = http.post(_page(chats) + "send/", {"text": "hello?"}, **HTMX)
    assert response.status_code == 409


def test_a_wrong_token_or_another_clients_code_is_404(chats: Chats) -> None:
    http = HttpClient()
    before = snapshot()
    assert http.get(f"/chat/client-a/s/{chats.a.token[:-2]}xx/").status_code == 404
    assert http.get(f"/chat/client-b/s/{chats.a.token}/").status_code == 404
    assert http.post(f"/chat/client-b/s/{chats.a.token}/send/", {"text": "x"}).status_code == 404
    assert snapshot() == before


# --- Agents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_desk_matrix(chats: Chats, persona: str) -> None:
    response = as_persona(chats.world, persona).get("/chat/sessions/")
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert response.status_code == (200 if persona in WORKS_ANY else 403)
    if response.status_code == 200:
        html = response.content.decode()
        assert ("Ada Lovelace" in html) == (persona in WORKS_A)
        assert ("王 芳" in html) == (persona != "client_a_agent")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("suffix", ["", "log/?after=0&ended=0"])
def test_session_page_matrix(chats: Chats, persona: str, suffix: str) -> None:
    response = as_persona(chats.world, persona).get(f"/chat/sessions/{chats.a.session.pk}/{suffix}")
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif persona in WORKS_A:
        assert response.status_code == 200
        assert "Where is my order?" in response.content.decode()
    elif persona in SEES_A:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["reply", "end"])
def test_session_actions_matrix(chats: Chats, persona: str, action: str) -> None:
    before = snapshot()
    response = as_persona(chats.world, persona).post(
        f"/chat/sessions/{chats.a.session.pk}/{action}/", {"text": "We are on it."}
    )
    if persona in WORKS_A:
        assert response.status_code == 302
        assert snapshot() != before
        return
    expected = 302 if persona == "anonymous" else (403 if persona in SEES_A else 404)
    assert response.status_code == expected
    assert snapshot() == before


def test_an_agent_reply_reaches_the_chat_and_the_timeline(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    session = chats.a.session
    response = http.post(f"/chat/sessions/{session.pk}/reply/", {"text": "It ships today."}, **HTMX)
    assert response.status_code == 200
    assert "It ships today." in response.content.decode()
    message = ChatMessage.objects.filter(session=session).last()
    assert message is not None
    assert (message.author_kind, message.author_label) == ("agent", "a-agent")
    entry = TimelineEntry.objects.filter(case_id=session.case_id).last()
    assert entry is not None
    assert (entry.kind, entry.author_kind, entry.body) == (
        EntryKind.AGENT_REPLY,
        AuthorKind.AGENT,
        "It ships today.",
    )
    customer = HttpClient().get(_page(chats)).content.decode()
    assert "It ships today." in customer


def test_an_agents_htmx_reply_must_carry_the_csrf_token(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    http.handler.enforce_csrf_checks = True
    before = snapshot()
    response = http.post(f"/chat/sessions/{chats.a.session.pk}/reply/", {"text": "x"}, **HTMX)
    assert response.status_code == 403
    assert snapshot() == before


def test_the_desk_marks_customers_waiting(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    assert "Customer waiting" in http.get("/chat/sessions/rows/").content.decode()
    http.post(f"/chat/sessions/{chats.a.session.pk}/reply/", {"text": "Hi!"})
    assert "Customer waiting" not in http.get("/chat/sessions/rows/").content.decode()
    http.post(f"/chat/sessions/{chats.a.session.pk}/end/")
    assert "Ada Lovelace" not in http.get("/chat/sessions/").content.decode()


def test_the_pages_speak_chinese(chats: Chats) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = http.get("/chat/client-b/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "开始对话" in html and "Start chat" not in html

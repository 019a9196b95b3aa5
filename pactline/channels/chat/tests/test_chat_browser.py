"""A real conversation in two browsers: a customer on the client's chat page, an agent signed
in through the login form; each sees the other's messages appear without reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.channels.chat.models import ChatMessage, ChatSession

LIVE = 10_000  # ms: polling runs every 2 s, so a message shows up well within this

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _say(page: Page, text: str) -> None:
    page.fill("#chat-text", text)
    page.click("#chat-panel button[type=submit]")


def _shows(page: Page, text: str) -> None:
    page.locator("#chat-log .chat-text", has_text=text).wait_for(timeout=LIVE)


def test_a_customer_and_an_agent_chat_live(
    browser: Browser, live_server: LiveServer, world: World
) -> None:
    load(world.client_a, "general-outsourcing")
    errors: list[str] = []

    customer_context = browser.new_context()
    customer = customer_context.new_page()
    customer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    customer.goto(f"{live_server.url}/chat/client-a/")
    customer.fill("input[name=name]", "Ada Lovelace")
    customer.fill("input[name=email]", "ada@example.com")
    customer.fill("textarea[name=message]", "My parcel has not arrived.")
    customer.click("form.chat-start button[type=submit]")
    customer.wait_for_url(f"{live_server.url}/chat/client-a/s/**")
    _shows(customer, "My parcel has not arrived.")

    agent_context = browser.new_context()
    agent = agent_context.new_page()
    agent.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    agent.goto(f"{live_server.url}/login/?next=/chat/sessions/")
    agent.fill("input[name=username]", "a-agent")
    agent.fill("input[name=password]", PASSWORD)
    agent.click("form.form button[type=submit]")
    agent.wait_for_url(f"{live_server.url}/chat/sessions/")
    agent.click("text=Chat #")
    agent.wait_for_url(f"{live_server.url}/chat/sessions/*/")
    _shows(agent, "My parcel has not arrived.")

    # The customer writes (a card number too): the agent's page shows it, redacted, live.
    _say(customer, "Order 5521, paid with 4111 1111 1111 1111")
    _shows(agent, "Order 5521, paid with [card …1111]")
    assert "4111 1111" not in agent.content()

    # The agent answers: the customer's page shows it live, under the agent's name.
    _say(agent, "Thanks Ada, it leaves our warehouse today.")
    _shows(customer, "Thanks Ada, it leaves our warehouse today.")
    reply = customer.locator("#chat-log .chat-msg-agent").last
    assert "a-agent" in reply.inner_text()
    _shows(agent, "Thanks Ada, it leaves our warehouse today.")

    _say(customer, "Great, thank you!")
    _shows(agent, "Great, thank you!")

    session = ChatSession.objects.get()
    texts = list(ChatMessage.objects.filter(session=session).values_list("author_kind", "text"))
    assert texts == [
        ("customer", "My parcel has not arrived."),
        ("customer", "Order 5521, paid with [card …1111]"),
        ("agent", "Thanks Ada, it leaves our warehouse today."),
        ("customer", "Great, thank you!"),
    ]
    case = Case.objects.get(pk=session.case_id)
    assert case.channel == "chat"
    replies = TimelineEntry.objects.filter(case=case, kind=EntryKind.AGENT_REPLY)
    assert list(replies.values_list("actor_label", flat=True)) == ["user:a-agent"]
    assert errors == []  # nothing refused by the CSP, no script errors
    customer_context.close()
    agent_context.close()

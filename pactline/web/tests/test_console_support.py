"""Console-test helpers (no tests here): cases of client A on every channel, with the clock
frozen on a Monday morning in New York.

Client A runs the general outsourcing agreement (New York business hours; email first
response: normal 8 h of business time, critical 1 h around the clock; chat first response
60 s; social 2 h) and requires a confidentiality agreement; client B runs the Chinese
customer-service agreement. `client_a_agent` and `client_b_agent` are certified and bound for
their client; `a_new` is an agent of client A who is neither."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from conftest import World, make_user
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, TimelineEntry
from pactline.cases.services import case_assign, case_open, case_resolve
from pactline.channels.chat.models import ChatMessage
from pactline.channels.chat.services import chat_session_start
from pactline.channels.email.models import EmailMessage
from pactline.channels.email.services import email_receive
from pactline.channels.social.models import SocialMessage
from pactline.channels.social.services import Inbound, social_message_receive
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client, Role
from pactline.workforce.tests.support import enable

SYSTEM = system_actor("test")
# Monday 2 March 2026, 10:00 in New York (EST, UTC-5): inside Northwind's business hours.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CARE = "care@northwind-retail.example"
CUSTOMER_MESSAGE_ID = "CAF3k9Qp7x2=ord48213@mail.example.com"
EMAIL = f"""\
From: Maria Gonzalez <maria.gonzalez@example.com>
To: Northwind Care <{CARE}>
Subject: Order NW-48213 arrived damaged
Date: Mon, 02 Mar 2026 09:59:41 -0500
Message-ID: <{CUSTOMER_MESSAGE_ID}>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

My order NW-48213 arrived this morning and the lamp base is cracked.
""".encode()


@dataclass(frozen=True)
class Console:
    world: World
    email: Case  # client A, email from the customer, unassigned, queue "orders"
    chat: Case  # client A, web chat with an open session, unassigned
    social: Case  # client A, facebook thread, unassigned
    phone: Case  # client A, phone, normal, assigned to client_a_agent, queue "orders"
    bare_email: Case  # client A, email case opened by hand: no email to reply to
    resolved: Case  # client A, resolved
    b: Case  # client B, social, normal
    a_new: User  # an agent of client A, not certified, no confidentiality agreement
    sup_a: User  # a supervisor of client A only

    @property
    def a_agent(self) -> User:
        user = self.world.client_a_agent.user
        assert user is not None
        return user


def open_case(
    client: Client,
    channel: str = "phone",
    *,
    priority: str = "normal",
    subject: str = "",
    queue: str = "",
    minutes_ago: int = 0,
) -> Case:
    at = NOW - timedelta(minutes=minutes_ago)
    return case_open(
        actor=SYSTEM,
        client=client,
        channel=channel,
        priority=priority,
        subject=subject or f"{channel} {priority} {minutes_ago}",
        queue=queue,
        at=at,
        now=NOW,
    )


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(name="console")
def console_fixture(world: World, settings: Settings, tmp_path: Path, frozen: None) -> Console:
    settings.MEDIA_ROOT = str(tmp_path)
    a, b = world.client_a, world.client_b
    load(a, "general-outsourcing")
    load(b, "customer-service-zh")
    assert world.client_a_agent.user is not None and world.client_b_agent.user is not None
    enable(world.client_a_agent.user, a)
    enable(world.client_b_agent.user, b)
    a_new = make_user("a-new", (Role.AGENT, a))
    sup_a = make_user("sup-a", (Role.SUPERVISOR, a))

    [delivery] = email_receive(actor=SYSTEM, raw=EMAIL, mail_from="", rcpt_tos=[CARE], now=NOW)
    email = Case.objects.get(pk=delivery.case_id)
    Case.objects.filter(pk=email.pk).update(queue="orders")  # as if routed by an IVR rule
    chat = chat_session_start(
        actor=SYSTEM,
        client=a,
        customer_name="Ada Lovelace",
        email="ada@example.com",
        first_message="Where is my parcel?",
        at=NOW - timedelta(seconds=20),
        now=NOW - timedelta(seconds=20),
    ).session.case
    social = social_message_receive(
        actor=SYSTEM,
        client=a,
        inbound=Inbound(
            platform="facebook",
            account="facebook:NorthwindRetail",
            thread_id="fb-thread-7",
            message_id="fb-msg-1",
            author_id="fb-user-9",
            author_name="Sam Doe",
            text="My refund has not arrived",
            sent_at=NOW - timedelta(minutes=5),
        ),
        now=NOW,
    ).message.case
    phone = open_case(a, "phone", subject="Phone call about billing", queue="orders")
    case_assign(actor=SYSTEM, case=phone, assignee=world.client_a_agent.user, now=NOW)
    bare_email = open_case(a, "email", subject="Opened by hand", minutes_ago=30)
    resolved = open_case(a, "phone", subject="Old question", minutes_ago=120)
    case_resolve(actor=SYSTEM, case=resolved, now=NOW)
    b_case = open_case(b, "social", subject="沙发配送延迟")
    return Console(
        world,
        Case.objects.get(pk=email.pk),
        chat,
        social,
        Case.objects.get(pk=phone.pk),
        bare_email,
        resolved,
        b_case,
        a_new,
        sup_a,
    )


def http_as(console: Console, persona: str) -> HttpClient:
    """A browser signed in as a persona of the world, or as `a_new` / `sup_a`."""
    http = HttpClient()
    user = getattr(console, persona, None) if persona in ("a_new", "sup_a") else None
    if user is None and persona not in ("a_new", "sup_a"):
        user = getattr(console.world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def snapshot() -> tuple[object, ...]:
    """Everything a console action could change."""
    return (
        TimelineEntry.objects.count(),
        tuple(
            Case.objects.order_by("pk").values_list(
                "status", "priority", "assignee_id", "queue", "resolved_at"
            )
        ),
        ChatMessage.objects.count(),
        SocialMessage.objects.count(),
        EmailMessage.objects.count(),
        len(mail.outbox),
    )


HTMX = {"HTTP_HX_REQUEST": "true"}

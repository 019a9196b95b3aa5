"""Chat-test helpers (no tests here): two clients under the example agreements.

Client A runs the general outsourcing agreement (chat page at
https://www.northwind-retail.example/help/chat), client B the Chinese customer-service
agreement (https://www.huaxin-home.example/kefu)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, TimelineEntry
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.services import Started, chat_session_start
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

SYSTEM = system_actor("test")
CARD = "4111 1111 1111 1111"
A_ORIGIN = "https://www.northwind-retail.example"


@dataclass(frozen=True)
class Chats:
    world: World
    a: Started  # a web chat of client A, with a first message
    b: Started  # a web chat of client B


def start(client: Client, name: str = "Ada Lovelace", message: str = "Hello") -> Started:
    return chat_session_start(
        actor=SYSTEM,
        client=client,
        customer_name=name,
        email=f"{name.split()[0].lower()}@example.com",
        first_message=message,
    )


@pytest.fixture(name="chats")
def chats_fixture(world: World) -> Chats:
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    return Chats(
        world,
        start(world.client_a, message="Where is my order?"),
        start(world.client_b, name="王 芳", message="沙发什么时候送到？"),
    )


def snapshot() -> tuple[int, ...]:
    """Everything a chat request could write."""
    return (
        ChatSession.objects.count(),
        ChatMessage.objects.count(),
        Case.objects.count(),
        TimelineEntry.objects.count(),
        ChatSession.objects.filter(ended_at__isnull=False).count(),
    )

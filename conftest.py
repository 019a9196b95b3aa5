"""Shared test fixtures: the personas every authorization test uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Browser, sync_playwright

from pactline.tenancy.access import Actor, actor_for_user
from pactline.tenancy.models import Client, Membership, Role
from pactline.workforce.models import AgentCertification, ConfidentialityAgreement

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Persona:
    user: User | None

    @property
    def actor(self) -> Actor:
        return actor_for_user(self.user)


@dataclass(frozen=True)
class World:
    client_a: Client
    client_b: Client
    provider_admin: Persona
    supervisor: Persona  # supervisor over A and B
    client_a_manager: Persona
    client_a_viewer: Persona
    client_a_agent: Persona
    client_b_agent: Persona
    client_b_manager: Persona
    qa_analyst: Persona  # provider-wide
    planner: Persona  # provider-wide workforce planner
    billing: Persona  # provider-wide
    anonymous: Persona


# Every persona of the world, the one list authorization tests walk.
PERSONAS = (
    "anonymous",
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
    "client_b_agent",
    "client_b_manager",
    "qa_analyst",
    "planner",
    "billing",
)
# The provider's read-only roles: each sees every client (quality, planning, billing).
PROVIDER_READERS = frozenset({"qa_analyst", "planner", "billing"})
# Of those, the ones who read every programme's cases, chats, mail and calls. Billing sees the
# clients and their agreements (and bills them) but nothing of the work: where a client's case
# data is concerned it gets Forbidden, as anyone who sees the client without the role.
CASE_READERS = PROVIDER_READERS - {"billing"}


def make_user(username: str, *grants: tuple[Role, Client | None], is_staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=is_staff)
    for role, client in grants:
        Membership.objects.create(user=user, role=role, client=client)
    return user


# Since when the world's agents are cleared for their client (long before any test's instant).
CLEARED_SINCE = date(2000, 1, 3)


def clear_agent(user: User, client: Client) -> User:
    """Certified for the client's programme and bound by a confidentiality agreement, open-ended
    (rows written directly: no audit events in the client's chain)."""
    at = datetime(2000, 1, 3, tzinfo=UTC)
    AgentCertification.objects.create(
        client=client, user=user, certified_on=CLEARED_SINCE, updated_at=at
    )
    ConfidentialityAgreement.objects.create(
        client=client, user=user, signed_on=CLEARED_SINCE, document_version="NDA", recorded_at=at
    )
    return user


def without_clearances(world: World) -> World:
    """The world with its agents not cleared for any client (for tests that record clearances
    themselves and count who is eligible)."""
    agents = [world.client_a_agent.user, world.client_b_agent.user]
    AgentCertification.objects.filter(user__in=agents).delete()
    ConfidentialityAgreement.objects.filter(user__in=agents).delete()
    return world


@pytest.fixture
def world(db: None) -> World:
    """Two clients and a persona per role; each client's agent is cleared for that client."""
    a = Client.objects.create(code="client-a", name="Client A")
    b = Client.objects.create(code="client-b", name="Client B")
    return World(
        client_a=a,
        client_b=b,
        provider_admin=Persona(make_user("admin", (Role.PROVIDER_ADMIN, None), is_staff=True)),
        supervisor=Persona(make_user("sup", (Role.SUPERVISOR, a), (Role.SUPERVISOR, b))),
        client_a_manager=Persona(make_user("a-manager", (Role.CLIENT_MANAGER, a))),
        client_a_viewer=Persona(make_user("a-viewer", (Role.CLIENT_VIEWER, a))),
        client_a_agent=Persona(clear_agent(make_user("a-agent", (Role.AGENT, a)), a)),
        client_b_agent=Persona(clear_agent(make_user("b-agent", (Role.AGENT, b)), b)),
        client_b_manager=Persona(make_user("b-manager", (Role.CLIENT_MANAGER, b))),
        qa_analyst=Persona(make_user("qa", (Role.QA_ANALYST, None))),
        planner=Persona(make_user("planner", (Role.WORKFORCE_PLANNER, None))),
        billing=Persona(make_user("billing", (Role.BILLING, None))),
        anonymous=Persona(None),
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Requests activate their language for the thread and leave it; every test starts in English."""
    translation.activate("en")
    yield
    translation.deactivate()


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the test thread; Django must allow ORM use.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Debian's Chromium with the flags this machine needs; never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Chromium for one test; missing Chromium fails the run in CI and skips elsewhere."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()

"""Shared test fixtures: the personas every authorization test uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Browser, sync_playwright

from pactline.tenancy.access import Actor, actor_for_user
from pactline.tenancy.models import Client, Membership, Role

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
    anonymous: Persona


def make_user(username: str, *grants: tuple[Role, Client | None], is_staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=is_staff)
    for role, client in grants:
        Membership.objects.create(user=user, role=role, client=client)
    return user


@pytest.fixture
def world(db: None) -> World:
    a = Client.objects.create(code="client-a", name="Client A")
    b = Client.objects.create(code="client-b", name="Client B")
    return World(
        client_a=a,
        client_b=b,
        provider_admin=Persona(make_user("admin", (Role.PROVIDER_ADMIN, None), is_staff=True)),
        supervisor=Persona(make_user("sup", (Role.SUPERVISOR, a), (Role.SUPERVISOR, b))),
        client_a_manager=Persona(make_user("a-manager", (Role.CLIENT_MANAGER, a))),
        client_a_viewer=Persona(make_user("a-viewer", (Role.CLIENT_VIEWER, a))),
        client_a_agent=Persona(make_user("a-agent", (Role.AGENT, a))),
        client_b_agent=Persona(make_user("b-agent", (Role.AGENT, b))),
        client_b_manager=Persona(make_user("b-manager", (Role.CLIENT_MANAGER, b))),
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

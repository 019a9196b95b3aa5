"""Dashboard-test helpers (no tests here): the general outsourcing agreement in any time zone,
small call sets with known figures, live calls, agent states and the personas' HTTP clients.

Northwind's phone service level is SL-C: answered within 20 s over answered + abandoned, not
counting abandons under 5 s; target 80 %, minimum volume 100 a month."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.test_pages_support import example_text
from pactline.channels.voice.live import LiveEvent, call_event_record
from pactline.channels.voice.models import AgentStateChange, CallSource
from pactline.core.agreement import agreement_to_data, parse_agreement
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

# Tuesday 10 March 2026, 12:00 in New York (EDT since 8 March, UTC-4).
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
_SEQ = count(1)


def load_in_zone(
    client: Client, zone: str, *, name: str = "general-outsourcing", start: str = "2020-01-01"
) -> AgreementVersion:
    """The example agreement for `client`, in force since `start`, every calendar in `zone`."""
    data = agreement_to_data(parse_agreement(example_text(name)))
    data["parties"]["client"]["code"] = client.code
    data["parties"]["client"]["name"] = client.name
    data["term"]["start"] = start
    data["effective_from"] = start
    for calendar in data["calendars"].values():
        calendar["timezone"] = zone
    text = json.dumps(data, ensure_ascii=False, default=str)
    version = agreement_version_create(actor=SYSTEM, text=text, client=client).version
    version = agreement_version_propose(actor=SYSTEM, version=version)
    hold_escalation_roles(version.client)
    return agreement_version_activate(actor=SYSTEM, version=version)


def calls_today(prefix: str = "t", start: datetime = NOW - timedelta(hours=2)) -> list[CallSpec]:
    """4 answered (waits 5, 10, 19, 40 s) and 2 abandoned (2 s: short; 30 s).
    SL-C = 3 / (4 + 2 - 1) = 60 %; abandon rate = 1 / 5 = 20 %."""
    answered = [
        CallSpec(f"{prefix}a{i}", start + timedelta(minutes=i), "answered", wait, talk=60)
        for i, wait in enumerate([5, 10, 19, 40])
    ]
    abandoned = [
        CallSpec(f"{prefix}b{i}", start + timedelta(minutes=10 + i), "abandoned", wait)
        for i, wait in enumerate([2, 30])
    ]
    return answered + abandoned


def import_and_consume(client: Client, calls: list[CallSpec], directory: Path, name: str) -> None:
    import_calls(client, calls, directory, name=name)
    consume_all()


def live_call(
    client: Client, call_id: str, queued: datetime, *, answered: datetime | None = None
) -> None:
    """A live call that entered the queue at `queued` (and was answered, if given)."""
    events = [LiveEvent("events", call_id, 1, "queued", queued, {"queue": "support"})]
    if answered is not None:
        events.append(LiveEvent("events", call_id, 2, "answered", answered, {"agent": "Alice"}))
    for event in events:
        call_event_record(actor=SYSTEM, client=client, event=event, now=event.at)


def agent_state(client: Client, agent: str, state: str, at: datetime, queue: str = "") -> None:
    AgentStateChange.objects.create(
        client=client,
        agent=agent,
        queue=queue,
        state=state,
        at=at,
        source=CallSource.QUEUE_LOG,
        change_seq=1_000_000 + next(_SEQ),
        created_at=timezone.now(),
    )


@dataclass(frozen=True)
class Http:
    world: World

    def as_(self, persona: str) -> HttpClient:
        http = HttpClient()
        user = getattr(self.world, persona).user
        if user is not None:
            http.force_login(user)
        return http


@pytest.fixture(name="loaded")
def loaded_fixture(world: World, tmp_path: Path) -> Http:
    """Client A in New York with today's calls (`calls_today`); client B in Kathmandu."""
    load_in_zone(world.client_a, "America/New_York")
    load_in_zone(world.client_b, "Asia/Kathmandu")
    import_and_consume(world.client_a, calls_today(), tmp_path, "a")
    return Http(world)

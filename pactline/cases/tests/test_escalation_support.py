"""Helpers for the escalation tests: agreements with a chosen ladder, and a real HTTP receiver.

Time is frozen with time-machine around each step: `escalation_actions_queue` stamps new
actions with the wall clock, and the ImmediateBackend runs the task with it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import time_machine

from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import example_data
from pactline.cases.clocks import clocks_fire_due
from pactline.cases.escalation_runner import escalation_actions_run_due
from pactline.cases.models import Case, EscalationAction
from pactline.cases.services import case_open
from pactline.tenancy.access import system_actor
from pactline.tenancy.tests.holders import hold_escalation_roles

ACTOR = system_actor("test")

# Telecom example, web first response (normal: 4 business hours) on the "support" calendar:
# Asia/Kolkata (UTC+05:30), Mon–Sat 08:00–22:00. Tuesday 7 April 2026.
TUE_10AM_IST = datetime(2026, 4, 7, 4, 30, tzinfo=UTC)  # due 14:00 IST = 08:30 UTC
TUE_5PM_IST = datetime(2026, 4, 7, 11, 30, tzinfo=UTC)  # due 21:00 IST = 15:30 UTC
WED_8AM_IST = datetime(2026, 4, 8, 2, 30, tzinfo=UTC)  # the next opening after Tuesday night


def ladder(*levels: dict[str, Any], name: str = "web-faults") -> dict[str, Any]:
    """A ladder watching the web first-response clock."""
    return {
        "name": name,
        "applies_to": {"channels": ["web"], "metrics": ["first_response"]},
        "levels": list(levels),
    }


def level(number: int, *actions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A level firing `after_breach_seconds` (default 0) after the breach."""
    trigger = {"after_breach_seconds": extra.pop("after_breach_seconds", 0)}
    return {
        "level": number,
        "trigger": extra.pop("trigger", trigger),
        "actions": list(actions),
        **extra,
    }


def telecom(*ladders: dict[str, Any], code: str = "meridian-telecom") -> AgreementVersion:
    """The telecom example for client `code`, with `ladders` as its whole escalation."""
    data = example_data("telecom-tiers")
    data["parties"]["client"]["code"] = code
    data["escalation"] = {"ladders": list(ladders)}
    return activate(data)


def activate(data: dict[str, Any]) -> AgreementVersion:
    text = json.dumps(data, default=str, ensure_ascii=False)
    version = agreement_version_create(actor=ACTOR, text=text, create_client=True).version
    agreement_version_propose(actor=ACTOR, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    return agreement_version_activate(actor=ACTOR, version=version, now=version.created_at)


def open_case(
    version: AgreementVersion,
    at: datetime = TUE_10AM_IST,
    *,
    channel: str = "web",
    priority: str = "normal",
    subject: str = "Fibre link down",
) -> Case:
    with time_machine.travel(at, tick=False):
        return case_open(
            actor=ACTOR,
            client=version.client,
            channel=channel,
            priority=priority,
            subject=subject,
            at=at,
            now=at,
        )


def fire(at: datetime) -> list[EscalationAction]:
    """Record what is due at `at`; returns the escalation actions that creates."""
    before = set(EscalationAction.objects.values_list("id", flat=True))
    with time_machine.travel(at, tick=False):
        clocks_fire_due(now=at)
    return list(EscalationAction.objects.exclude(id__in=before).order_by("id"))


def run(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return escalation_actions_run_due(now=at)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server answering POSTs with scripted status codes (the last one repeats)."""

    statuses: list[int]
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/escalations"


@contextmanager
def receiver(*statuses: int, delay: float = 0.0) -> Iterator[Receiver]:
    """Serve on 127.0.0.1 while the block runs; `delay` seconds before each answer."""
    state = Receiver(list(statuses) or [200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            time.sleep(delay)
            index = min(len(state.requests), len(state.statuses)) - 1
            status = state.statuses[index]
            reply = json.dumps({"received": len(state.requests)}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if 300 <= status < 400:
                self.send_header("Location", "/somewhere-else")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

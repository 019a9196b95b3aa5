"""Schemathesis over `/api/v1/openapi.json`: no operation answers 5xx, whatever it is sent,
and every error answer is a JSON object with a `detail`.

Runs in-process against the Django WSGI application, inside each test's database transaction:
once with a read-write API token of a provider admin for Northwind (the general outsourcing
example) and once anonymously, one test per operation and caller. Every other example has its
path ids replaced by real ones (Northwind's agreement, a case, a campaign with a call list, a
chat), so the fuzzed bodies and queries reach the code behind the 404. Bounded and
deterministic: a few examples per operation from a fixed seed, so the run takes seconds and a
failure reproduces. `FUZZ_EXAMPLES=200 FUZZ_SEED=7 FUZZ_COVERAGE=1` runs a longer, different search by hand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client as HttpClient
from schemathesis.checks import not_a_server_error

from conftest import make_user
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import load_example
from pactline.channels.chat.services import chat_session_start
from pactline.channels.outbound.services import call_list_upload, campaign_create
from pactline.tenancy.access import actor_for_user, system_actor
from pactline.tenancy.models import Role, TokenScope
from pactline.tenancy.services import api_token_create

SEED = int(os.environ.get("FUZZ_SEED", "20260302"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
SYSTEM = system_actor("test")

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",  # valid and invalid input
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            # Boundary values for every parameter: thorough but slow, for a search by hand.
            "coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
# Read from the application itself (no database needed) when the module is collected.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@dataclass
class Caller:
    headers: dict[str, str]
    path_values: dict[str, Any]
    examples: count[int] = field(default_factory=count)

    def prepare(self, case: schemathesis.Case) -> None:
        """Every other example addresses real objects instead of random ids."""
        if next(self.examples) % 2 or not case.path_parameters:
            return
        for name in case.path_parameters:
            if name in self.path_values:
                case.path_parameters[name] = self.path_values[name]


def _northwind() -> tuple[str, dict[str, Any]]:
    version = load_example("general-outsourcing")
    client = version.client
    admin = make_user("fuzz-admin", (Role.PROVIDER_ADMIN, None))
    _token, raw = api_token_create(
        actor=actor_for_user(admin), client=client, name="fuzz", scope=TokenScope.WRITE
    )
    campaign = campaign_create(actor=SYSTEM, client=client, name="Fuzz", kind="follow_up")
    call_list_upload(actor=SYSTEM, campaign=campaign, csv_text="phone\n+12125550101\n")
    case = case_open(actor=SYSTEM, client=client, channel="phone", priority="normal", subject="?")
    chat = chat_session_start(actor=SYSTEM, client=client, customer_name="Ann", email="a@b.us")
    values = {
        "code": client.code,
        "client_code": client.code,
        "agreement_id": version.agreement_id,
        "version_id": version.pk,
        "case_id": case.pk,
        "campaign_id": campaign.pk,
        "entry_id": campaign.entries.get().pk,
        "session_id": chat.session.pk,
    }
    return raw, values


@pytest.fixture
def _connections_kept() -> Iterator[None]:
    """Like Django's test client: a request must not close the connection that holds the
    test's transaction (the WSGI handler does so at the end of each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["token", "anonymous"])
def caller(request: pytest.FixtureRequest, db: None, _connections_kept: None) -> Caller:
    """A provider admin's read-write Northwind token, or no credentials at all."""
    raw, values = _northwind()
    headers = {"Authorization": f"Bearer {raw}"} if request.param == "token" else {}
    return Caller(headers=headers, path_values=values)


def errors_are_json_with_a_detail(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """Every error answer of the API is a JSON object with a `detail`, whatever went wrong."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{response.status_code} is not JSON: {response.text[:200]}") from None
    if not isinstance(body, dict) or "detail" not in body:
        raise AssertionError(f"{response.status_code} has no detail: {response.text[:200]}")


@schema.parametrize()
def test_no_operation_answers_a_server_error(case: schemathesis.Case, caller: Caller) -> None:
    caller.prepare(case)
    case.call_and_validate(
        headers=caller.headers, checks=[not_a_server_error, errors_are_json_with_a_detail]
    )


# --- What the fuzzing found, pinned ----------------------------------------------------------


@pytest.mark.django_db
def test_instants_with_any_utc_offset_are_stored_in_utc_or_refused() -> None:
    """PostgreSQL refuses UTC offsets beyond ±15:59, which ISO 8601 and Python allow (±23:59):
    such instants are converted to UTC before they reach the database, and one that has no UTC
    form (year 1 at +20:01) is a 422 naming the field."""
    raw, values = _northwind()
    http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    in_force = f"/api/v1/clients/{values['code']}/agreement-in-force"
    assert http.get(in_force, {"at": "2026-03-02T09:00:00+20:01"}).status_code == 200
    early = http.get(in_force, {"at": "0001-01-01T00:00:00+20:01"})
    assert early.status_code == 422
    assert early.json()["errors"][0]["path"] == "at"
    started = http.post(
        "/api/v1/chats/sessions",
        {"provider": "livechat", "external_id": "c1", "name": "Ann", "email": "ann@example.com",
         "started_at": "2026-03-02T09:00:00+20:01"},
        content_type="application/json",
    )  # fmt: skip
    assert started.status_code == 201
    assert started.json()["started_at"] == "2026-03-01T12:59:00Z"
    sent = http.post(
        f"/api/v1/chats/sessions/{started.json()['id']}/messages",
        {"author_kind": "customer", "text": "hello", "sent_at": "2026-03-02T09:00:00-18:30"},
        content_type="application/json",
    )
    assert sent.status_code == 201


@pytest.mark.django_db
def test_a_client_code_with_a_nul_character_is_unknown() -> None:
    """PostgreSQL refuses to compare text holding NUL, which no client code holds: in a path
    such a code is an unknown client (404, or the 401/403 of a webhook); in a query or body it
    is a 422 naming the field. Never a server error."""
    raw, _values = _northwind()
    http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for path in ("/api/v1/agreements", "/api/v1/campaigns"):
        refused = http.get(path, {"client": "a\x00"})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["path"] == "client"
    assert http.get("/api/v1/clients/a%00b").status_code == 404
    webhook = http.post("/api/v1/social/a%00b/messages", "{}", content_type="application/json")
    assert webhook.status_code == 401
    twilio = http.post("/api/v1/calls/twilio/a%00b/status", {"CallSid": "CA1"})
    assert twilio.status_code == 403

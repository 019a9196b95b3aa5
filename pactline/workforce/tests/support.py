"""Test helpers (no tests here): the personas' clients under the example agreements, agents
certified and bound.

Client A runs the general outsourcing agreement (home zone America/New_York; a confidentiality
agreement is required); client B the Chinese customer-service agreement (Asia/Shanghai)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from django.contrib.auth.models import User

from conftest import make_user
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.test_pages_support import example_for
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client, Role
from pactline.tenancy.tests.holders import hold_escalation_roles
from pactline.workforce.services import agent_certify, confidentiality_agreement_record

SYSTEM = system_actor("test")
# Monday 2 March 2026, 10:00 in New York (EST, UTC-5).
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CERTIFIED_ON = date(2026, 1, 5)
SIGNED_ON = date(2026, 1, 5)
NDA = "NDA-2026-1"


def load_without_nda(client: Client, name: str) -> AgreementVersion:
    """The example in force for `client`, amended: no confidentiality agreement required."""
    data = json.loads(example_for(client, name))
    data["data_protection"]["confidentiality_agreement_required"] = False
    text = json.dumps(data, ensure_ascii=False)
    version = agreement_version_create(actor=SYSTEM, text=text, client=client).version
    version = agreement_version_propose(actor=SYSTEM, version=version)
    hold_escalation_roles(version.client)
    return agreement_version_activate(actor=SYSTEM, version=version)


def agent(username: str, client: Client | None) -> User:
    return make_user(username, (Role.AGENT, client))


def certify(user: User, client: Client, **dates: date | None) -> None:
    agent_certify(
        actor=SYSTEM,
        client=client,
        user=user,
        certified_on=dates.get("certified_on") or CERTIFIED_ON,
        expires_on=dates.get("expires_on"),
        now=AT,
    )


def bind(user: User, client: Client, **dates: date | None) -> None:
    confidentiality_agreement_record(
        actor=SYSTEM,
        client=client,
        user=user,
        signed_on=dates.get("signed_on") or SIGNED_ON,
        document_version=NDA,
        expires_on=dates.get("expires_on"),
        now=AT,
    )


def enable(user: User, client: Client) -> User:
    """Certified for the client's programme and bound by its confidentiality agreement."""
    certify(user, client)
    bind(user, client)
    return user

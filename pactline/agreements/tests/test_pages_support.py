"""Page-test helpers (no tests here): the shipped example agreements, addressed to the personas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from conftest import World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import amendment_date
from pactline.core.agreement import agreement_to_data, parse_agreement
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "agreements"
# Far enough back that a loaded version is in force whatever day the suite runs.
PAST_START = "2020-01-01"


def example_text(name: str) -> str:
    return (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")


def example_for(
    client: Client, name: str, *, title: str | None = None, effective_from: str = PAST_START
) -> str:
    """The example as JSON text, addressed to `client`, its term starting in the past."""
    data: dict[str, Any] = agreement_to_data(parse_agreement(example_text(name)))
    data["parties"]["client"]["code"] = client.code
    data["parties"]["client"]["name"] = client.name
    data["term"]["start"] = PAST_START
    data["effective_from"] = effective_from
    if data["term"].get("end") is not None and data["term"]["end"] <= effective_from:
        data["term"]["end"] = f"{int(effective_from[:4]) + 1}{effective_from[4:]}"
    if title is not None:
        data["title"] = title
    return json.dumps(data, ensure_ascii=False, default=str)


def load(
    client: Client,
    name: str,
    *,
    title: str | None = None,
    to: str = "active",
    effective_from: str = PAST_START,
) -> AgreementVersion:
    """Store the example for `client` and take it to status `to` (draft, proposed, active).

    An amendment (a second version) must be dated on or after its notice date."""
    actor = system_actor("test")
    text = example_for(client, name, title=title, effective_from=effective_from)
    version = agreement_version_create(actor=actor, text=text, client=client).version
    if to in ("proposed", "active"):
        version = agreement_version_propose(actor=actor, version=version)
    if to == "active":
        hold_escalation_roles(version.client)
        version = agreement_version_activate(actor=actor, version=version)
    return version


@dataclass(frozen=True)
class Agreements:
    """Client A: v1 in force, v2 a draft, v3 proposed; client B: its own agreement in force."""

    a_active: AgreementVersion
    a_draft: AgreementVersion
    a_proposed: AgreementVersion
    b_active: AgreementVersion


A_EXAMPLE = "customer-service-zh"
B_EXAMPLE = "general-outsourcing"
A_TITLE = "华信家居客服工作服务条款"
B_TITLE = "Customer Care Outsourcing Agreement — Client B"


@pytest.fixture(name="agreements")
def agreements_fixture(world: World) -> Agreements:
    a_active = load(world.client_a, A_EXAMPLE)
    a_draft = load(
        world.client_a,
        A_EXAMPLE,
        title=f"{A_TITLE}（修订草案）",
        to="draft",
        effective_from=amendment_date(),
    )
    a_proposed = load(
        world.client_a,
        A_EXAMPLE,
        title=f"{A_TITLE}（修订）",
        to="proposed",
        effective_from=amendment_date(),
    )
    b_active = load(world.client_b, B_EXAMPLE, title=B_TITLE)
    return Agreements(a_active, a_draft, a_proposed, b_active)

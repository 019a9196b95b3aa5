"""Test helpers (no tests here): the personas' clients under the example agreements, agents
certified and bound, and knowledge articles.

Client A runs the general outsourcing agreement (home zone America/New_York; a confidentiality
agreement is required); client B the Chinese customer-service agreement (Asia/Shanghai)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from conftest import World, make_user
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.test_pages_support import example_for, load
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client, Role
from pactline.tenancy.tests.holders import hold_escalation_roles
from pactline.workforce.models import KnowledgeArticle
from pactline.workforce.services import (
    agent_certify,
    confidentiality_agreement_record,
    knowledge_article_create,
)

SYSTEM = system_actor("test")
# Monday 2 March 2026, 10:00 in New York (EST, UTC-5).
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CERTIFIED_ON = date(2026, 1, 5)
SIGNED_ON = date(2026, 1, 5)
NDA = "NDA-2026-1"

RETURNS_TITLE = "退货流程：七天无理由退货"
RETURNS_BODY = (
    "顾客签收商品后七天内可以申请无理由退货。请先核对订单号，确认商品完好、配件齐全，"
    "再在系统中登记退货申请并告知顾客退款将在三个工作日内原路退回。"
)
REFUND_TITLE = "Refund policy"
REFUND_BODY = (
    "Refunds are issued to the original payment method within 5 business days. "
    "Ask the customer for the order number first; never read out a full card number."
)
ESCALATE_TITLE = "Escalating a complaint"
ESCALATE_BODY = (
    "When a customer asks for a refund a second time, escalate the complaint to the team lead "
    "with the case number."
)


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


def article(client: Client, title: str, body: str, **fields: object) -> KnowledgeArticle:
    return knowledge_article_create(
        actor=SYSTEM,
        client=client,
        title=title,
        body=body,
        language=str(fields.get("language", "en")),
        tags=[str(tag) for tag in fields.get("tags", [])],  # type: ignore[attr-defined]
        published=bool(fields.get("published", True)),
        now=AT,
    )


@dataclass(frozen=True)
class Programmes:
    world: World
    returns: KnowledgeArticle  # client A, Chinese, published
    refund: KnowledgeArticle  # client A, English, published
    escalate: KnowledgeArticle  # client A, English, published
    draft: KnowledgeArticle  # client A, English, not published
    b_article: KnowledgeArticle  # client B, published
    a_uncertified: User  # an agent of client A who is not certified


@pytest.fixture(name="programmes")
def programmes_fixture(world: World, settings: Settings, tmp_path: Path) -> Programmes:
    settings.MEDIA_ROOT = str(tmp_path)
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    assert world.client_a_agent.user is not None and world.client_b_agent.user is not None
    enable(world.client_a_agent.user, world.client_a)
    enable(world.client_b_agent.user, world.client_b)
    a = world.client_a
    return Programmes(
        world=world,
        returns=article(a, RETURNS_TITLE, RETURNS_BODY, language="zh-hans", tags=["退货", "售后"]),
        refund=article(a, REFUND_TITLE, REFUND_BODY, tags=["billing"]),
        escalate=article(a, ESCALATE_TITLE, ESCALATE_BODY, tags=["complaints"]),
        draft=article(a, "Holiday returns (draft)", "Extended returns window.", published=False),
        b_article=article(
            world.client_b, "沙发配送说明", "配送时间为三到五个工作日。", language="zh-hans"
        ),
        a_uncertified=agent("a-new-agent", a),
    )

"""Test helpers (no tests here): knowledge articles of the personas' clients under the example
agreements. The world's agents are cleared for their own client (`conftest.clear_agent`).

Client A runs the general outsourcing agreement (home zone America/New_York; a confidentiality
agreement is required); client B the Chinese customer-service agreement (Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from conftest import World, make_user
from pactline.agreements.tests.test_pages_support import load
from pactline.knowledge.models import KnowledgeArticle
from pactline.knowledge.services import knowledge_article_create
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client, Role

SYSTEM = system_actor("test")
# Monday 2 March 2026, 10:00 in New York (EST, UTC-5).
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

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
        a_uncertified=make_user("a-new-agent", (Role.AGENT, a)),
    )

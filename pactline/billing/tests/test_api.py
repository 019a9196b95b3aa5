"""/api/v1 invoices, usage and credits: who reads what (drafts only for the provider's billing
roles, read-only tokens included), exact figures as strings, filters, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.billing.tests.pages_support import Billing, billing_fixture  # noqa: F401
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db


def _as(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def _token(world: World, persona: str, scope: TokenScope = TokenScope.READ) -> dict[str, str]:
    user = getattr(world, persona).user
    _row, raw = api_token_create(
        actor=actor_for_user(user), client=world.client_a, name="billing", scope=scope
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _numbers(body: list[dict[str, Any]]) -> list[str]:
    return [row["number"] or row["status"] for row in body]


def test_invoices_list_no_drafts_for_the_client(billing: Billing) -> None:
    world = billing.world
    viewer = _as(world, "client_a_viewer").get("/api/v1/invoices")
    assert viewer.status_code == 200
    assert _numbers(viewer.json()) == ["CN-2026-000001", "INV-2026-000007"]
    admin = _as(world, "provider_admin").get("/api/v1/invoices?client=client-a")
    assert _numbers(admin.json()) == ["draft", "CN-2026-000001", "INV-2026-000007"]
    issued = _as(world, "billing").get("/api/v1/invoices?status=issued&kind=invoice")
    # Both September's: the later written first.
    assert _numbers(issued.json()) == ["INV-2026-000008", "INV-2026-000007"]
    # Those who see client A without its billing read no invoices, and ask for them: 403.
    assert _as(world, "client_a_agent").get("/api/v1/invoices").json() == []
    assert _as(world, "client_a_agent").get("/api/v1/invoices?client=client-a").status_code == 403
    assert _as(world, "client_b_manager").get("/api/v1/invoices?client=client-a").status_code == 404
    assert HttpClient().get("/api/v1/invoices").status_code == 401


def test_read_only_tokens_read_and_drafts_follow_the_role(billing: Billing) -> None:
    http = HttpClient()
    manager = http.get("/api/v1/invoices", **_token(billing.world, "client_a_manager"))
    assert _numbers(manager.json()) == ["CN-2026-000001", "INV-2026-000007"]
    admin = http.get("/api/v1/invoices", **_token(billing.world, "provider_admin"))
    assert _numbers(admin.json()) == ["draft", "CN-2026-000001", "INV-2026-000007"]
    draft = f"/api/v1/invoices/{billing.draft.pk}"
    assert http.get(draft, **_token(billing.world, "client_a_manager")).status_code == 404
    assert http.get(draft, **_token(billing.world, "provider_admin")).status_code == 200


def test_one_invoice_with_its_lines_and_exact_figures(billing: Billing) -> None:
    response = _as(billing.world, "client_a_viewer").get(f"/api/v1/invoices/{billing.invoice.pk}")
    body = response.json()
    assert (body["number"], body["subtotal"], body["tax_amount"], body["total"]) == (
        "INV-2026-000007",
        "1234.500000",
        "123.450000",
        "1357.950000",
    )
    assert body["paid"] == "500.000000"
    assert [
        (line["item"], line["quantity"], line["amount"], line["usage_count"])
        for line in body["lines"]
    ] == [("Inbound handled minutes", "2469.000000", "1234.500000", 2)]
    other = _as(billing.world, "client_b_manager").get(f"/api/v1/invoices/{billing.invoice.pk}")
    assert other.status_code == 404
    assert _as(billing.world, "client_a_viewer").get("/api/v1/invoices/999999").status_code == 404


def test_usage_by_period_and_item_paginated(billing: Billing) -> None:
    http = _as(billing.world, "client_a_viewer")
    month = http.get("/api/v1/usage?client=client-a&period=2026-09")
    # 1 October 00:10 local is October's, however close in UTC.
    assert [row["source_id"] for row in month.json()] == [1, 4, 2]
    item = http.get("/api/v1/usage?client=client-a&period=2026-09&item=Inbound handled minutes")
    assert [row["source_id"] for row in item.json()] == [1, 2]
    page = http.get("/api/v1/usage?client=client-a&limit=2&offset=2")
    assert [row["source_id"] for row in page.json()] == [2, 3]
    assert (
        _as(billing.world, "client_a_agent").get("/api/v1/usage?client=client-a").status_code == 403
    )
    assert (
        _as(billing.world, "client_b_manager").get("/api/v1/usage?client=client-a").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("client=client-a&period=2026-13", "period"),
        ("client=client-a&period=0000-01", "period"),
        ("client=client-a&period=abc", "period"),
        ("client=client-a&limit=0", "limit"),
        ("client=client-a&limit=100000", "limit"),
        ("period=2026-09", "client"),
        ("client=a%00b", "client"),
    ],
)
def test_bad_usage_queries_name_their_field(billing: Billing, query: str, field: str) -> None:
    response = _as(billing.world, "client_a_viewer").get(f"/api/v1/usage?{query}")
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == [field]


def test_credits_with_reasons_in_the_requests_language(billing: Billing) -> None:
    http = _as(billing.world, "client_a_viewer")
    (memo,) = http.get("/api/v1/credits").json()  # October's memo is on the draft
    assert (memo["month"], memo["total"], memo["charges"]) == (
        "2026-09-01",
        "200.000000",
        "1234.500000",
    )
    first = memo["lines"][0]
    assert (first["reference"], first["credited"], first["status"]) == (
        "phone.answer_within",
        "200",
        "credited",
    )
    assert (
        first["reason_text"] == "phone.answer_within missed: 10 percent of the at-risk amount 2000"
    )
    chinese = http.get("/api/v1/credits", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (
        chinese[0]["lines"][0]["reason_text"]
        == "phone.answer_within 未达标：抵扣风险金额 2000 的 10%"
    )
    provider = _as(billing.world, "billing").get("/api/v1/credits?client=client-a").json()
    assert [row["month"] for row in provider] == ["2026-10-01", "2026-09-01"]


def test_the_switch_asks_whether_a_call_may_be_forwarded(billing: Billing) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from pactline.billing.models import DiversionEntry

    reader = _as(billing.world, "client_a_viewer")
    body = reader.get("/api/v1/diversion?client=client-a").json()
    # Prepaid 100.00, drawn 2.50: forwarding goes on.
    assert body == {"client": "client-a", "allowed": True, "flagged": False, "balance": "97.50"}

    DiversionEntry.objects.create(
        client=billing.world.client_a,
        kind="draw",
        at=datetime(2026, 9, 9, tzinfo=UTC),
        amount=Decimal("-97.50"),
        source_key="call:9:leg",
        recorded_by="system",
    )
    # Used up, and the agreement says `when_exhausted: refuse`.
    body = reader.get("/api/v1/diversion?client=client-a").json()
    assert body == {"client": "client-a", "allowed": False, "flagged": False, "balance": "0.00"}
    other = _as(billing.world, "client_b_manager").get("/api/v1/diversion?client=client-a")
    assert other.status_code == 404
    agent = _as(billing.world, "client_a_agent").get("/api/v1/diversion?client=client-a")
    assert agent.status_code == 403
    assert _as(billing.world, "client_a_viewer").get("/api/v1/diversion").status_code in (400, 422)

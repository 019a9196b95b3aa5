"""Social-test helpers (no tests here): client A (Northwind: facebook, x, instagram accounts)
and client B (华信家居: wechat and weibo accounts) under the example agreements."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, TimelineEntry
from pactline.channels.social.models import SocialMessage, SocialThread
from pactline.channels.social.signing import social_signature
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

SYSTEM = system_actor("test")
WECHAT = "wechat:华信家居服务号"


@dataclass(frozen=True)
class Social:
    world: World


@pytest.fixture(name="social")
def social_fixture(world: World) -> Social:
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    return Social(world)


def wechat(
    message_id: str = "wx-1", thread_id: str = "openid-42", **changes: Any
) -> dict[str, Any]:
    return {
        "platform": "wechat",
        "account": WECHAT,
        "thread_id": thread_id,
        "message_id": message_id,
        "author": {"id": "openid-42", "name": "王芳"},
        "text": "沙发什么时候送到？",
        "attachments": [],
        "sent_at": "2026-03-02T09:15:00+08:00",
        **changes,
    }


def deliver(
    client: Client, payload: dict[str, Any] | bytes, *, signature: str | None = None
) -> Any:
    """POST the webhook as the platform integration does, signed unless told otherwise."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    signed = social_signature(client, body) if signature is None else signature
    if signed:
        headers["HTTP_X_PACTLINE_SIGNATURE"] = signed
    return HttpClient().post(
        f"/api/v1/social/{client.code}/messages",
        body,
        content_type="application/json",
        **headers,
    )


def snapshot() -> tuple[int, ...]:
    return (
        SocialMessage.objects.count(),
        SocialThread.objects.count(),
        Case.objects.count(),
        TimelineEntry.objects.count(),
        SocialMessage.objects.filter(delivery="delivered").count(),
        SocialMessage.objects.filter(delivery="failed").count(),
    )

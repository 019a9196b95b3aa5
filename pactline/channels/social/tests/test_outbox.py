"""Replies to social threads: the service, the outbox the integration pulls, acknowledgements,
and the authorization matrix of those endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.models import AuthorKind, Case, EntryKind, TimelineEntry
from pactline.cases.services import case_open, case_resolve
from pactline.cases.tests.test_pages_support import as_persona
from pactline.channels.social.models import Delivery, Direction, SocialMessage
from pactline.channels.social.services import social_outbox_ack, social_reply
from pactline.channels.social.tests.support import (  # noqa: F401 - fixture
    SYSTEM,
    Social,
    deliver,
    snapshot,
    social_fixture,
    wechat,
)
from pactline.common.errors import Conflict, ValidationFailed
from pactline.common.models import IdempotencyRecord

WORKS_B = {"provider_admin", "supervisor", "client_b_agent"}
# Read client B's cases without working them.
READS_B = {"client_b_manager"} | CASE_READERS
SEES_B = READS_B | PROVIDER_READERS  # billing sees client B but not its cases (403)


def _thread_case(social: Social) -> Case:
    response = deliver(social.world.client_b, wechat())
    return Case.objects.get(pk=response.json()["case_id"])


def _json(http: Any, url: str, body: dict[str, Any], **extra: str) -> Any:
    return http.post(url, body, content_type="application/json", **extra)


def test_a_reply_goes_on_the_timeline_and_waits_in_the_outbox(social: Social) -> None:
    case = _thread_case(social)
    agent = social.world.client_b_agent.actor
    stored = social_reply(
        actor=agent, case=case, text="明天上午送达。卡号 4111111111111111 请勿发送"
    )
    message = stored.message
    assert (message.direction, message.delivery, message.author_kind) == (
        Direction.OUTBOUND,
        Delivery.PENDING,
        AuthorKind.AGENT,
    )
    assert message.text == "明天上午送达。卡号 [card …1111] 请勿发送"
    assert message.thread.thread_id == "openid-42"
    entry = TimelineEntry.objects.filter(case=case).last()
    assert entry is not None
    assert (entry.kind, entry.author_kind, entry.body) == (
        EntryKind.AGENT_REPLY,
        AuthorKind.AGENT,
        message.text,
    )
    outbox = as_persona(social.world, "client_b_agent").get("/api/v1/social/client-b/outbox")
    assert outbox.status_code == 200
    assert [(m["id"], m["thread_id"], m["account"]) for m in outbox.json()] == [
        (message.pk, "openid-42", "wechat:华信家居服务号")
    ]


def test_a_case_without_a_thread_or_resolved_cannot_be_replied_to(social: Social) -> None:
    case = _thread_case(social)
    plain = case_open(
        actor=SYSTEM, client=social.world.client_b, channel="phone", priority="normal"
    )
    agent = social.world.client_b_agent.actor
    before = snapshot()
    with pytest.raises(ValidationFailed) as failed:
        social_reply(actor=agent, case=plain, text="hello")
    assert failed.value.errors[0].path == "case"
    with pytest.raises(ValidationFailed) as failed:
        social_reply(actor=agent, case=case, text="  ")
    assert failed.value.errors[0].path == "text"
    case_resolve(actor=SYSTEM, case=case)
    before = snapshot()
    with pytest.raises(Conflict):
        social_reply(actor=agent, case=case, text="hello")
    assert snapshot() == before


def test_acknowledgements(social: Social) -> None:
    case = _thread_case(social)
    agent = social.world.client_b_agent.actor
    message = social_reply(actor=agent, case=case, text="好的").message
    failed = social_outbox_ack(actor=agent, message=message, delivered=False, error="timeout")
    assert (failed.delivery, failed.delivery_attempts) == (Delivery.FAILED, 1)
    again = social_outbox_ack(actor=agent, message=message, delivered=False, error="timeout")
    assert again.delivery_attempts == 1  # the same word twice changes nothing
    done = social_outbox_ack(
        actor=agent, message=message, delivered=True, platform_message_id="wx-out-1"
    )
    assert (done.delivery, done.message_id) == (Delivery.DELIVERED, "wx-out-1")
    assert done.delivered_at is not None
    same = social_outbox_ack(
        actor=agent, message=message, delivered=True, platform_message_id="wx-out-1"
    )
    assert same.delivery_attempts == done.delivery_attempts
    with pytest.raises(Conflict):
        social_outbox_ack(actor=agent, message=message, delivered=False, error="late failure")
    # The platform's id for the reply now deduplicates its echo through the webhook.
    echo = deliver(social.world.client_b, wechat("wx-out-1", text="好的"))
    assert echo.status_code == 200 and echo.json()["id"] == message.pk


def test_the_api_reply_is_idempotent_on_its_key(social: Social) -> None:
    case = _thread_case(social)
    http = as_persona(social.world, "client_b_agent")
    url = f"/api/v1/social/cases/{case.pk}/replies"
    first = _json(http, url, {"text": "马上处理"}, HTTP_IDEMPOTENCY_KEY="r-1")
    before = snapshot()
    second = _json(http, url, {"text": "马上处理"}, HTTP_IDEMPOTENCY_KEY="r-1")
    # The repeat is answered with the first answer (pactline.common.idempotency).
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    # Once that answer has expired, the reply's own key (per client) still finds the reply.
    IdempotencyRecord.objects.all().delete()
    third = _json(http, url, {"text": "马上处理"}, HTTP_IDEMPOTENCY_KEY="r-1")
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    assert snapshot() == before
    messages = http.get(f"/api/v1/social/cases/{case.pk}/messages").json()
    assert [(m["direction"], m["delivery"]) for m in messages] == [
        ("in", "received"),
        ("out", "pending_delivery"),
    ]


def test_ack_through_the_api(social: Social) -> None:
    case = _thread_case(social)
    http = as_persona(social.world, "client_b_agent")
    message = social_reply(actor=social.world.client_b_agent.actor, case=case, text="好").message
    url = f"/api/v1/social/client-b/outbox/{message.pk}/ack"
    response = _json(http, url, {"status": "delivered", "platform_message_id": "wx-9"})
    assert response.status_code == 200 and response.json()["delivery"] == "delivered"
    assert http.get("/api/v1/social/client-b/outbox").json() == []
    assert _json(http, url, {"status": "failed"}).status_code == 409
    bad = _json(http, url, {"status": "lost"})
    assert bad.status_code == 422
    inbound = SocialMessage.objects.get(direction=Direction.INBOUND)
    wrong = _json(http, f"/api/v1/social/client-b/outbox/{inbound.pk}/ack", {"status": "failed"})
    assert wrong.status_code == 409


@pytest.mark.parametrize("persona", PERSONAS)
def test_outbox_and_reply_matrix(social: Social, persona: str) -> None:
    case = _thread_case(social)
    message = social_reply(actor=SYSTEM, case=case, text="已安排").message
    http = as_persona(social.world, persona)
    before = snapshot()
    outbox = http.get("/api/v1/social/client-b/outbox")
    messages = http.get(f"/api/v1/social/cases/{case.pk}/messages")
    ack = _json(
        http, f"/api/v1/social/client-b/outbox/{message.pk}/ack", {"status": "failed", "error": "x"}
    )
    reply = _json(http, f"/api/v1/social/cases/{case.pk}/replies", {"text": "您好"})
    codes = [outbox.status_code, messages.status_code, ack.status_code, reply.status_code]
    if persona == "anonymous":
        assert codes == [401] * 4
    elif persona in WORKS_B:
        assert codes == [200, 200, 200, 201]
        return
    elif persona in READS_B:
        assert codes == [403, 200, 403, 403]
    elif persona in SEES_B:
        assert codes == [403] * 4
    else:
        assert codes == [404] * 4
    assert snapshot() == before

"""Chat time as billable usage: an ended session's handled minutes, rated as calls are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from conftest import World
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import EXAMPLES
from pactline.audit.sequences import next_change_seq
from pactline.billing.close import month_close
from pactline.billing.consumer import usage_consume_all
from pactline.billing.models import UsageRecord
from pactline.billing.rebuild import usage_rebuild
from pactline.billing.tests.close_support import Loaded, met, statement
from pactline.billing.tests.support import SYSTEM, TUESDAY_10AM_ADELAIDE, records
from pactline.cases.models import Case
from pactline.cases.services import case_open
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.services import chat_session_end
from pactline.common.sequences import Stream
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

pytestmark = pytest.mark.django_db

T = TUESDAY_10AM_ADELAIDE  # 10:00:00 in Adelaide, within the centre's hours
CHAT_ITEM = "Chat handled minutes"
# Billed ahead of the example's phone items; 30 s minimum, then 6 s steps.
CHAT_PRICING = """  items:
    - model: per_minute
      name: Chat handled minutes
      channels: [chat]
      rate: 2.00
      minimum_seconds: 30
      increment_seconds: 6
      billable: [talk]
"""


def chat_client() -> Loaded:
    """Kestrel's per-minute agreement with a per-minute chat item first."""
    text = (EXAMPLES / "call-centre-per-minute.yaml").read_text(encoding="utf-8")
    text = text.replace("  items:\n", CHAT_PRICING, 1)
    version = agreement_version_create(actor=SYSTEM, text=text, create_client=True).version
    agreement_version_propose(actor=SYSTEM, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    version = agreement_version_activate(actor=SYSTEM, version=version, now=version.created_at)
    return Loaded(version.client, version)


def session(client: Client, started: datetime, ended: datetime | None = None) -> ChatSession:
    case = case_open(
        actor=SYSTEM,
        client=client,
        channel="chat",
        priority="standard",
        category="inquiry",
        at=started,
        now=started,
    )
    return ChatSession.objects.create(
        client=client, case=case, started_at=started, last_message_at=started, ended_at=ended
    )


def message(chat: ChatSession, author: str, at: datetime) -> ChatMessage:
    with transaction.atomic():
        seq = next_change_seq(chat.client_id, Stream.CHAT)
        return ChatMessage.objects.create(
            client_id=chat.client_id,
            session=chat,
            case_id=chat.case_id,
            author_kind=author,
            text="hello",
            sent_at=at,
            received_at=at,
            change_seq=seq,
        )


def answered(client: Client) -> ChatSession:
    """10:00:00 start, the customer writes at once, an agent first at 10:00:40, end 10:07:10:
    handled 6 min 30 s = 390 s."""
    chat = session(client, T, T + timedelta(minutes=7, seconds=10))
    message(chat, "customer", T)
    message(chat, "bot", T + timedelta(seconds=10))  # a bot does not handle a chat
    message(chat, "agent", T + timedelta(seconds=40))
    message(chat, "agent", T + timedelta(minutes=5))
    return chat


def unanswered(client: Client) -> ChatSession:
    chat = session(client, T + timedelta(hours=1), T + timedelta(hours=1, minutes=4))
    message(chat, "customer", T + timedelta(hours=1))
    return chat


def chat_rows(client: Client) -> list[tuple[object, ...]]:
    return [
        (
            row["part"],
            row["kind"],
            row["channel"],
            row["call_id"],
            row["at"],
            row["handled"],
            row["talk_seconds"],
            row["price_item"],
            row["service_type"],
            row["outside_hours"],
        )
        for row in records(client, source="chat")
    ]


def test_an_ended_session_bills_its_handled_time_and_an_unanswered_one_nothing() -> None:
    at = chat_client()
    first, second = answered(at.client), unanswered(at.client)
    assert usage_consume_all(client_ids=[at.client.id]) > 0
    rows = chat_rows(at.client)
    assert rows == [
        ("session", "call_leg", "chat", f"chat-{first.pk}", T, True, 390, CHAT_ITEM,
         "inbound_support", False),
        ("session", "call_leg", "chat", f"chat-{second.pk}", T + timedelta(hours=1), False, 0,
         CHAT_ITEM, "inbound_support", False),
    ]  # fmt: skip
    pks = set(UsageRecord.objects.filter(client=at.client).values_list("pk", flat=True))
    assert usage_consume_all(client_ids=[at.client.id]) == 0
    assert set(UsageRecord.objects.filter(client=at.client).values_list("pk", flat=True)) == pks
    usage_rebuild(
        actor=SYSTEM,
        client=at.client,
        start=datetime(2026, 8, 31, 14, 30, tzinfo=UTC),
        end=datetime(2026, 9, 30, 14, 30, tzinfo=UTC),
    )
    assert chat_rows(at.client) == rows


def test_an_open_session_has_no_usage_until_it_ends() -> None:
    at = chat_client()
    chat = session(at.client, T)
    message(chat, "customer", T)
    message(chat, "agent", T + timedelta(seconds=40))
    usage_consume_all(client_ids=[at.client.id])
    assert chat_rows(at.client) == []
    # Ending writes no message: the touched case brings the session back.
    chat_session_end(actor=SYSTEM, session=chat, now=T + timedelta(minutes=7, seconds=10))
    usage_consume_all(client_ids=[at.client.id])
    assert [(row[3], row[5], row[6]) for row in chat_rows(at.client)] == [
        (f"chat-{chat.pk}", True, 390)
    ]


def test_a_later_message_re_derives_its_session() -> None:
    at = chat_client()
    chat = unanswered(at.client)
    usage_consume_all(client_ids=[at.client.id])
    assert [(row[5], row[6]) for row in chat_rows(at.client)] == [(False, 0)]
    # An agent's reply imported late (sent 10:03 of a session ended 10:04): 60 s handled.
    message(chat, "agent", chat.started_at + timedelta(minutes=3))
    usage_consume_all(client_ids=[at.client.id])
    assert [(row[5], row[6]) for row in chat_rows(at.client)] == [(True, 60)]


def test_month_close_bills_handled_chat_minutes(world: World) -> None:
    """390 s at 30/6 -> 390 s = 6.5 min at 2.00 = 13.00; the unanswered session's 0 s bills 0
    but is counted: 2 records. The phone items bill nothing."""
    at = chat_client()
    answered(at.client)
    unanswered(at.client)
    usage_consume_all(client_ids=[at.client.id])
    now = datetime(2026, 10, 2, tzinfo=UTC)
    statement(
        at,
        date(2026, 9, 1),
        [
            met("phone.answer_within"),
            met("phone.emergency_answer"),
            met("phone.abandon_rate", "5", "<="),
            met("email.first_response"),
        ],
        issued_at=now,
    )
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 9, 1), now=now
    ).invoice
    lines = {
        line.item: (line.exact_amount, line.amount, line.usage_count)
        for line in invoice.lines.all()
    }
    assert lines[CHAT_ITEM] == ("13", Decimal("13.00"), 2)
    assert lines["Inbound handled minutes"] == ("0", Decimal("0.00"), 0)
    assert Case.objects.filter(client=at.client).count() == 2


def test_a_chat_outside_the_centres_hours_is_judged_as_a_call_is() -> None:
    at = chat_client()
    night = T + timedelta(hours=12)  # 22:00 in Adelaide
    chat = session(at.client, night, night + timedelta(minutes=2))
    message(chat, "agent", night + timedelta(seconds=30))
    usage_consume_all(client_ids=[at.client.id])
    assert [(row[6], row[9]) for row in chat_rows(at.client)] == [(90, True)]

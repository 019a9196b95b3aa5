"""Chat services: a conversation opens a chat case, messages reach the timeline redacted,
external input is idempotent, bad input writes nothing."""

from __future__ import annotations

import pytest

from pactline.cases.models import AuthorKind, Case, Channel, EntryKind, TimelineEntry
from pactline.cases.services import case_resolve
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.selectors import chat_session_by_token, token_digest
from pactline.channels.chat.services import chat_message_add, chat_session_end, chat_session_start
from pactline.channels.chat.tests.support import (  # noqa: F401 - fixture
    CARD,
    SYSTEM,
    Chats,
    chats_fixture,
    snapshot,
    start,
)
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed


def test_a_web_chat_opens_a_chat_case_with_the_first_message(chats: Chats) -> None:
    session = chats.a.session
    case = Case.objects.get(pk=session.case_id)
    assert case.channel == Channel.CHAT
    assert case.client_id == chats.world.client_a.pk
    assert case.subject == "Where is my order?"
    assert case.priority == "normal"
    assert session.contact is not None
    assert session.contact.email_list == ["ada@example.com"]
    kinds = list(TimelineEntry.objects.filter(case=case).values_list("kind", "body"))
    assert kinds == [
        (EntryKind.CREATED, ""),
        (EntryKind.CUSTOMER_MESSAGE, "Where is my order?"),
    ]
    message = ChatMessage.objects.get(session=session)
    assert (message.author_kind, message.text) == (AuthorKind.CUSTOMER, "Where is my order?")


def test_only_a_digest_of_the_token_is_kept(chats: Chats) -> None:
    token = chats.a.token
    assert len(token) >= 40
    session = ChatSession.objects.get(pk=chats.a.session.pk)
    assert session.token_digest == token_digest(token) != token
    assert chat_session_by_token(chats.world.client_a, token) == session
    with pytest.raises(NotFound):
        chat_session_by_token(chats.world.client_b, token)  # another client's code
    with pytest.raises(NotFound):
        chat_session_by_token(chats.world.client_a, token[:-1] + "x")


def test_a_card_number_typed_in_chat_is_stored_redacted(chats: Chats) -> None:
    text = f"My card is {CARD}, CVV 123, expiry 12/29"
    added = chat_message_add(
        actor=SYSTEM, session=chats.a.session, author_kind=AuthorKind.CUSTOMER, text=text
    )
    expected = "My card is [card …1111], CVV [security code removed], expiry [expiry removed]"
    assert ChatMessage.objects.get(pk=added.message.pk).text == expected
    assert added.message.redactions == 3
    entry = TimelineEntry.objects.filter(case_id=chats.a.session.case_id).last()
    assert entry is not None and entry.body == expected
    stored = list(ChatMessage.objects.values_list("text", flat=True))
    stored += list(TimelineEntry.objects.values_list("body", flat=True))
    assert not any("4111" in value.replace("…1111", "") for value in stored)


def test_a_card_number_in_the_first_message_never_reaches_the_subject(chats: Chats) -> None:
    started = start(chats.world.client_a, name="Bob Stone", message=f"refund to {CARD}")
    case = Case.objects.get(pk=started.session.case_id)
    assert case.subject == "refund to [card …1111]"


def test_agent_and_bot_replies_reach_the_timeline_as_theirs(chats: Chats) -> None:
    agent = chats.world.client_a_agent.actor
    session = chats.a.session
    chat_message_add(
        actor=agent,
        session=session,
        author_kind=AuthorKind.AGENT,
        text="On its way",
        author_label="Sam",
    )
    chat_message_add(
        actor=SYSTEM, session=session, author_kind=AuthorKind.BOT, text="Anything else?"
    )
    chat_message_add(actor=SYSTEM, session=session, author_kind=AuthorKind.SYSTEM, text="moved")
    entries = list(
        TimelineEntry.objects.filter(
            case_id=session.case_id, kind=EntryKind.AGENT_REPLY
        ).values_list("author_kind", "actor_label", "body")
    )
    assert entries == [
        (AuthorKind.AGENT, "user:a-agent", "On its way"),
        (AuthorKind.BOT, "system:test", "Anything else?"),
    ]
    labels = list(
        ChatMessage.objects.filter(session=session).values_list("author_kind", "author_label")
    )
    assert labels[1:] == [("agent", "Sam"), ("bot", ""), ("system", "")]


def test_change_seq_rises_per_client(chats: Chats) -> None:
    for text in ("one", "two", "three"):
        chat_message_add(actor=SYSTEM, session=chats.a.session, author_kind="customer", text=text)
    seqs = list(
        ChatMessage.objects.filter(client=chats.world.client_a)
        .order_by("id")
        .values_list("change_seq", flat=True)
    )
    assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    assert ChatMessage.objects.get(client=chats.world.client_b).change_seq == 1


def test_an_external_conversation_and_its_messages_are_idempotent(chats: Chats) -> None:
    client = chats.world.client_a

    def begin() -> tuple[ChatSession, bool]:
        started = chat_session_start(
            actor=SYSTEM,
            client=client,
            customer_name="Ola",
            phone="+1 212 555 0188",
            provider="livechat",
            external_id="conv-77",
        )
        assert started.token == ""
        return started.session, started.created

    session, created = begin()
    assert created
    before = snapshot()
    again, created_again = begin()
    assert (again.pk, created_again) == (session.pk, False)
    assert snapshot() == before

    first = chat_message_add(
        actor=SYSTEM, session=session, author_kind="customer", text="hi", external_id="m-1"
    )
    before = snapshot()
    second = chat_message_add(
        actor=SYSTEM, session=session, author_kind="customer", text="hi", external_id="m-1"
    )
    assert first.created and not second.created
    assert second.message.pk == first.message.pk
    assert snapshot() == before


def test_bad_input_names_the_field_and_writes_nothing(chats: Chats) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as failed:
        chat_session_start(
            actor=SYSTEM, client=chats.world.client_a, customer_name="", email="not-an-address"
        )
    assert [e.path for e in failed.value.errors] == ["name"]
    with pytest.raises(ValidationFailed) as failed:
        chat_session_start(
            actor=SYSTEM, client=chats.world.client_a, customer_name="Eve", email="not-an-address"
        )
    assert [e.path for e in failed.value.errors] == ["email"]
    with pytest.raises(ValidationFailed) as failed:
        chat_session_start(
            actor=SYSTEM, client=chats.world.client_a, customer_name="Eve", provider="Bad Name!"
        )
    assert {e.path for e in failed.value.errors} == {"provider", "external_id"}
    with pytest.raises(ValidationFailed) as failed:
        chat_message_add(actor=SYSTEM, session=chats.a.session, author_kind="robot", text="  ")
    assert {e.path for e in failed.value.errors} == {"author_kind", "text"}
    assert snapshot() == before


def test_a_client_without_an_agreement_cannot_chat(chats: Chats) -> None:
    from pactline.tenancy.models import Client

    other = Client.objects.create(code="client-c", name="Client C")
    before = snapshot()
    with pytest.raises(ValidationFailed) as failed:
        chat_session_start(actor=SYSTEM, client=other, customer_name="Eve", email="eve@example.com")
    assert [e.path for e in failed.value.errors] == ["client"]
    assert snapshot() == before


def test_an_ended_chat_takes_no_more_messages(chats: Chats) -> None:
    session = chat_session_end(actor=SYSTEM, session=chats.a.session)
    assert session.ended_at is not None and session.ended_by == "system:test"
    assert chat_session_end(actor=SYSTEM, session=session).ended_at == session.ended_at
    before = snapshot()
    with pytest.raises(Conflict):
        chat_message_add(actor=SYSTEM, session=session, author_kind="customer", text="hello?")
    assert snapshot() == before


def test_the_customer_writing_again_reopens_a_resolved_case(chats: Chats) -> None:
    case = Case.objects.get(pk=chats.a.session.case_id)
    case_resolve(actor=SYSTEM, case=case)
    chat_message_add(
        actor=SYSTEM, session=chats.a.session, author_kind="customer", text="still here"
    )
    case.refresh_from_db()
    assert case.status == "open"
    kinds = list(TimelineEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == [EntryKind.RESOLVE, EntryKind.REOPEN, EntryKind.CUSTOMER_MESSAGE]


def test_services_check_the_actor(chats: Chats) -> None:
    before = snapshot()
    with pytest.raises(NotFound):
        chat_message_add(
            actor=chats.world.client_b_agent.actor,
            session=chats.a.session,
            author_kind="agent",
            text="x",
        )
    with pytest.raises(Forbidden):
        chat_message_add(
            actor=chats.world.client_a_viewer.actor,
            session=chats.a.session,
            author_kind="agent",
            text="x",
        )
    assert snapshot() == before

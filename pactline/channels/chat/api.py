"""API for an external chat provider: start a conversation, post and read its messages.

A client's API token names the client. Starting a conversation is idempotent on the provider's
conversation id, posting a message on its message id (or the `Idempotency-Key` header when the
provider has none): delivering the same input again returns what was stored the first time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pactline.channels.chat.access import access_chat_session
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.selectors import chat_messages
from pactline.channels.chat.services import (
    EXTERNAL_ID_MAX,
    LABEL_MAX,
    NAME_MAX,
    TEXT_MAX,
    chat_message_add,
    chat_session_end,
    chat_session_start,
)
from pactline.common.errors import FieldError, NotFound, ValidationFailed
from pactline.common.inputs import Instant, SafeStr
from pactline.tenancy.access import Actor, Permission, access_client
from pactline.tenancy.http import api_actor
from pactline.tenancy.models import Client

MAX_SEQ = 2**63 - 1  # a cursor beyond any bigint
router = Router(tags=["chat"])

AuthorKindIn = Literal["customer", "agent", "bot", "system"]


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class SessionIn(Schema):
    client: SafeStr | None = Field(
        None, description="client code; taken from the API token when omitted"
    )
    provider: SafeStr = Field(
        ..., max_length=40, description="the chat provider's name, e.g. livechat"
    )
    external_id: SafeStr = Field(..., max_length=EXTERNAL_ID_MAX, description="its conversation id")
    name: SafeStr = Field(..., max_length=NAME_MAX, description="the customer's name")
    email: SafeStr | None = Field(None, max_length=320)
    phone: SafeStr | None = Field(None, max_length=40)
    region: SafeStr | None = Field(
        None, max_length=2, description="ISO country of a national phone number"
    )
    started_at: Instant | None = None


class SessionOut(Schema):
    id: int
    client: str
    case_id: int
    contact_id: int | None
    provider: str
    external_id: str
    started_at: datetime
    ended_at: datetime | None
    last_message_at: datetime


class SessionCreatedOut(SessionOut):
    created: bool


class MessageIn(Schema):
    author_kind: AuthorKindIn
    author_label: SafeStr = Field("", max_length=LABEL_MAX, description="agent or bot name")
    text: SafeStr = Field(..., max_length=TEXT_MAX)
    external_message_id: SafeStr | None = Field(None, max_length=EXTERNAL_ID_MAX)
    sent_at: Instant | None = None


class MessageOut(Schema):
    id: int
    session_id: int
    case_id: int
    author_kind: str
    author_label: str
    text: str = Field(description="as stored: card numbers and security codes redacted")
    external_message_id: str
    sent_at: datetime
    received_at: datetime
    change_seq: int


class MessageCreatedOut(MessageOut):
    created: bool


class MessagesQuery(Schema):
    after: int = Field(0, ge=0, le=MAX_SEQ, description="the last change_seq already read")
    limit: int = Field(100, ge=1, le=500)


def _session_fields(session: ChatSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "client": session.client.code,
        "case_id": session.case_id,
        "contact_id": session.contact_id,
        "provider": session.provider,
        "external_id": session.external_id,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "last_message_at": session.last_message_at,
    }


def _message_out(message: ChatMessage) -> MessageOut:
    return MessageOut(**_message_fields(message))


def _message_fields(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "session_id": message.session_id,
        "case_id": message.case_id,
        "author_kind": message.author_kind,
        "author_label": message.author_label,
        "text": message.text,
        "external_message_id": message.external_id,
        "sent_at": message.sent_at,
        "received_at": message.received_at,
        "change_seq": message.change_seq,
    }


def _client_of(actor: Actor, code: str | None) -> Client:
    """The token's client; a session (or a token, redundantly) may name it."""
    if actor.token is not None:
        client = Client.objects.get(pk=actor.token.client_id)
        if code and code != client.code:
            raise NotFound
        access_client(actor, client.code, permission=Permission.CASE_WORK)
        return client
    if not code:
        raise ValidationFailed([FieldError("client", _("give the client's code"))])
    return access_client(actor, code, permission=Permission.CASE_WORK)


@router.post(
    "/chats/sessions",
    response={200: SessionCreatedOut, 201: SessionCreatedOut, 422: ErrorsOut},
    summary="Start a conversation of an external chat provider (idempotent)",
)
def start_session(request: HttpRequest, payload: SessionIn) -> Status[SessionCreatedOut]:
    actor = api_actor(request)
    client = _client_of(actor, payload.client)
    started = chat_session_start(
        actor=actor,
        client=client,
        customer_name=payload.name,
        email=payload.email or None,
        phone=payload.phone or None,
        region=payload.region.upper() if payload.region else None,
        provider=payload.provider,
        external_id=payload.external_id,
        at=payload.started_at,
    )
    session = ChatSession.objects.select_related("client").get(pk=started.session.pk)
    out = SessionCreatedOut(**_session_fields(session), created=started.created)
    return Status(201 if started.created else 200, out)


@router.get("/chats/sessions/{int:session_id}", response=SessionOut, summary="One conversation")
def get_session(request: HttpRequest, session_id: int) -> SessionOut:
    return SessionOut(**_session_fields(access_chat_session(api_actor(request), session_id)))


@router.post(
    "/chats/sessions/{int:session_id}/messages",
    response={200: MessageCreatedOut, 201: MessageCreatedOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Add a message (idempotent on its id or the Idempotency-Key header)",
)
def post_message(
    request: HttpRequest, session_id: int, payload: MessageIn
) -> Status[MessageCreatedOut]:
    actor = api_actor(request)
    session = access_chat_session(actor, session_id, for_write=True)
    key = payload.external_message_id or request.headers.get("Idempotency-Key", "")
    if len(key) > EXTERNAL_ID_MAX:
        raise ValidationFailed(
            [FieldError("Idempotency-Key", _("at most %(n)s characters") % {"n": EXTERNAL_ID_MAX})]
        )
    added = chat_message_add(
        actor=actor,
        session=session,
        author_kind=payload.author_kind,
        author_label=payload.author_label,
        text=payload.text,
        external_id=key,
        at=payload.sent_at,
    )
    out = MessageCreatedOut(**_message_fields(added.message), created=added.created)
    return Status(201 if added.created else 200, out)


@router.get(
    "/chats/sessions/{int:session_id}/messages",
    response=list[MessageOut],
    summary="Messages after a cursor (change_seq), oldest first",
)
def list_messages(
    request: HttpRequest, session_id: int, query: Query[MessagesQuery]
) -> list[MessageOut]:
    session = access_chat_session(api_actor(request), session_id)
    rows = chat_messages(session, after=query.after)[: query.limit]
    return [_message_out(message) for message in rows]


@router.post(
    "/chats/sessions/{int:session_id}/end",
    response=SessionOut,
    summary="End the conversation (ending it again changes nothing)",
)
def end_session(request: HttpRequest, session_id: int) -> SessionOut:
    actor = api_actor(request)
    session = access_chat_session(actor, session_id, for_write=True)
    return SessionOut(**_session_fields(chat_session_end(actor=actor, session=session)))

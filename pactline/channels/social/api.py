"""API for social media: the platforms' signed webhook, the replies outbox and its
acknowledgements, and agents' replies to a case's thread.

The webhook carries no token: it is authenticated by `X-Pactline-Signature`, an HMAC-SHA256 of
the raw body with the client's secret (`social_webhook_secret`). The signature is checked
before the body is even parsed; a wrong or missing one gets 401 and nothing is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import HttpUrl
from pydantic import ValidationError as SchemaError

from pactline.cases.access import access_case
from pactline.channels.social.models import SocialMessage
from pactline.channels.social.selectors import social_case_messages, social_outbox
from pactline.channels.social.services import (
    ATTACHMENTS_MAX,
    ID_MAX,
    TEXT_MAX,
    Attachment,
    Inbound,
    social_message_receive,
    social_outbox_ack,
    social_reply,
)
from pactline.channels.social.signing import HEADER, social_signature_valid
from pactline.common.errors import FieldError, NotFound, ValidationFailed
from pactline.common.inputs import Instant, SafeStr
from pactline.common.json_input import json_loads_checked
from pactline.tenancy.access import Permission, access_client, system_actor
from pactline.tenancy.http import api_actor
from pactline.tenancy.models import Client

MAX_SEQ = 2**63 - 1  # a cursor beyond any bigint
router = Router(tags=["social"])

PlatformIn = Literal["wechat", "weibo", "facebook", "x", "instagram", "whatsapp", "line", "other"]
BODY_MAX = 1_000_000


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class DetailOut(Schema):
    detail: str


class AuthorIn(Schema):
    id: SafeStr = Field(..., min_length=1, max_length=ID_MAX)
    name: SafeStr = Field("", max_length=200)


class AttachmentIn(Schema):
    url: HttpUrl
    name: SafeStr = Field("", max_length=255)
    content_type: SafeStr = Field("", max_length=255)


class WebhookIn(Schema):
    platform: PlatformIn
    account: SafeStr = Field(..., min_length=1, max_length=200, examples=["wechat:华信家居服务号"])
    thread_id: SafeStr = Field(..., min_length=1, max_length=ID_MAX)
    message_id: SafeStr = Field(..., min_length=1, max_length=ID_MAX)
    author: AuthorIn
    text: SafeStr = Field("", max_length=TEXT_MAX)
    attachments: list[AttachmentIn] = Field([], max_length=ATTACHMENTS_MAX)
    sent_at: Instant


class ReceivedOut(Schema):
    id: int
    case_id: int
    thread_id: int
    created: bool


class MessageOut(Schema):
    id: int
    case_id: int
    platform: str
    account: str
    thread_id: str
    direction: str
    message_id: str
    author_kind: str
    author_id: str
    text: str = Field(description="as stored: card numbers and security codes redacted")
    attachments: list[dict[str, Any]]
    sent_at: datetime
    change_seq: int
    delivery: str = Field(description="received, pending_delivery, delivered or failed")
    delivery_attempts: int
    delivered_at: datetime | None
    delivery_error: str


class MessageCreatedOut(MessageOut):
    created: bool


class ReplyIn(Schema):
    text: SafeStr = Field(..., max_length=TEXT_MAX)


class AckIn(Schema):
    status: Literal["delivered", "failed"]
    platform_message_id: SafeStr = Field("", max_length=ID_MAX)
    error: SafeStr = Field("", max_length=2000)


class OutboxQuery(Schema):
    platform: PlatformIn | None = None
    limit: int = Field(100, ge=1, le=500)


class CaseMessagesQuery(Schema):
    after: int = Field(0, ge=0, le=MAX_SEQ, description="the last change_seq already read")


def _message_fields(message: SocialMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "case_id": message.case_id,
        "platform": message.platform,
        "account": message.thread.account,
        "thread_id": message.thread.thread_id,
        "direction": message.direction,
        "message_id": message.message_id,
        "author_kind": message.author_kind,
        "author_id": message.author_id,
        "text": message.text,
        "attachments": message.attachments,
        "sent_at": message.sent_at,
        "change_seq": message.change_seq,
        "delivery": message.delivery,
        "delivery_attempts": message.delivery_attempts,
        "delivered_at": message.delivered_at,
        "delivery_error": message.delivery_error,
    }


def _webhook_payload(body: bytes) -> WebhookIn:
    """The body as the schema, or ValidationFailed naming each bad field."""
    data = json_loads_checked(body)
    try:
        return WebhookIn.model_validate(data)
    except SchemaError as exc:
        raise ValidationFailed(
            [
                FieldError(".".join(str(part) for part in error["loc"]) or "body", error["msg"])
                for error in exc.errors()
            ]
        ) from None


_WEBHOOK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": WebhookIn.model_json_schema()}},
    },
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
            "description": "sha256=<hex HMAC-SHA256 of the raw body, keyed with the client's "
            "webhook secret>",
        }
    ],
}


@router.post(
    "/social/{client_code}/messages",
    auth=None,
    response={200: ReceivedOut, 201: ReceivedOut, 401: DetailOut, 413: DetailOut, 422: ErrorsOut},
    openapi_extra=_WEBHOOK_BODY,
    summary="A platform message (signed webhook; idempotent on platform + message id)",
)
def receive_message(request: HttpRequest, client_code: str) -> Status[Any]:
    # No code holds a NUL character, and PostgreSQL refuses to compare text with one.
    known = "\x00" not in client_code
    client = Client.objects.filter(code=client_code, is_active=True).first() if known else None
    body = request.body
    signature = request.headers.get(HEADER, "")
    # An unknown client gets the same answer as a bad signature: its secret cannot be known.
    if client is None or not social_signature_valid(client, body, signature):
        return Status(401, DetailOut(detail=_("The signature is missing or wrong.")))
    if len(body) > BODY_MAX:
        return Status(413, DetailOut(detail=_("The message is too large.")))
    payload = _webhook_payload(body)
    stored = social_message_receive(
        actor=system_actor("social"),
        client=client,
        inbound=Inbound(
            platform=payload.platform,
            account=payload.account.strip(),
            thread_id=payload.thread_id,
            message_id=payload.message_id,
            author_id=payload.author.id,
            author_name=payload.author.name,
            text=payload.text,
            sent_at=payload.sent_at,
            attachments=tuple(
                Attachment(url=str(a.url), name=a.name, content_type=a.content_type)
                for a in payload.attachments
            ),
        ),
    )
    message = stored.message
    out = ReceivedOut(
        id=message.pk, case_id=message.case_id, thread_id=message.thread_id, created=stored.created
    )
    return Status(201 if stored.created else 200, out)


@router.get(
    "/social/{client_code}/outbox",
    response=list[MessageOut],
    summary="Replies waiting to be delivered, oldest first",
)
def outbox(request: HttpRequest, client_code: str, query: Query[OutboxQuery]) -> list[MessageOut]:
    client = access_client(api_actor(request), client_code, permission=Permission.CASE_WORK)
    rows = social_outbox(client, platform=query.platform, limit=query.limit)
    return [MessageOut(**_message_fields(message)) for message in rows]


@router.post(
    "/social/{client_code}/outbox/{int:message_id}/ack",
    response={200: MessageOut, 409: DetailOut, 422: ErrorsOut},
    summary="Acknowledge a reply: delivered (with the platform's id) or failed",
)
def ack(request: HttpRequest, client_code: str, message_id: int, payload: AckIn) -> MessageOut:
    actor = api_actor(request)
    client = access_client(actor, client_code, permission=Permission.CASE_WORK)
    message = SocialMessage.objects.filter(client=client, pk=message_id).first()
    if message is None:
        raise NotFound
    message = social_outbox_ack(
        actor=actor,
        message=message,
        delivered=payload.status == "delivered",
        platform_message_id=payload.platform_message_id.strip(),
        error=payload.error,
    )
    message = SocialMessage.objects.select_related("thread").get(pk=message.pk)
    return MessageOut(**_message_fields(message))


@router.post(
    "/social/cases/{int:case_id}/replies",
    response={200: MessageCreatedOut, 201: MessageCreatedOut, 409: DetailOut, 422: ErrorsOut},
    summary="Reply to the case's social thread (idempotent on the Idempotency-Key header)",
)
def reply(request: HttpRequest, case_id: int, payload: ReplyIn) -> Status[MessageCreatedOut]:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    stored = social_reply(
        actor=actor,
        case=case,
        text=payload.text,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
    )
    message = SocialMessage.objects.select_related("thread").get(pk=stored.message.pk)
    out = MessageCreatedOut(**_message_fields(message), created=stored.created)
    return Status(201 if stored.created else 200, out)


@router.get(
    "/social/cases/{int:case_id}/messages",
    response=list[MessageOut],
    summary="The case's social messages after a cursor (change_seq), oldest first",
)
def case_messages(
    request: HttpRequest, case_id: int, query: Query[CaseMessagesQuery]
) -> list[MessageOut]:
    case = access_case(api_actor(request), case_id)
    rows = social_case_messages(case, after=query.after)[:500]
    return [MessageOut(**_message_fields(message)) for message in rows]

"""Answering the customer on the case's own channel: one handler per channel kind.

The channels that can send (email, chat, social) live above this app, so each registers its
handler when Django starts (`reply_handler_register`); channels with nothing to send through
(phone, the web help desk) record the reply on the case and say that nothing was sent. A
reply either leaves (or is queued for its platform) and is recorded, or fails with an error
and records nothing: it is never reported as sent when it was not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.cases.models import CLOSED_STATUSES, Case, Channel
from pactline.cases.services import case_agent_reply
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require

REPLY_MAX = 10_000  # the chat and social channels' limit; email and recorded replies take it too


class Delivery(StrEnum):
    SENT = "sent"  # it left (email, chat)
    QUEUED = "queued"  # in the outbox until the platform acknowledges it (social)
    RECORDED = "recorded"  # on the case only; nothing was sent (phone, web)


@dataclass(frozen=True)
class ReplyRequest:
    actor: Actor
    case: Case
    body: str
    include_reply_to: bool  # email: also to a Reply-To outside the contact's addresses
    now: datetime


@dataclass(frozen=True)
class ReplyOutcome:
    delivery: Delivery
    message: str  # what to tell the agent, translated


ReplyHandler = Callable[[ReplyRequest], ReplyOutcome]
_handlers: dict[str, ReplyHandler] = {}


def reply_handler_register(channel: str, handler: ReplyHandler) -> None:
    """Install the handler of one channel kind (the channel apps do, when Django starts)."""
    _handlers[channel] = handler


def reply_channels() -> frozenset[str]:
    """The channel kinds a reply can be given on (every channel, once Django has started)."""
    return frozenset(_handlers)


def _recorded(request: ReplyRequest) -> ReplyOutcome:
    """Phone and web: the agent records what was said (e.g. the call's outcome); nothing is
    sent, and the agent is told so."""
    case_agent_reply(actor=request.actor, case=request.case, body=request.body, now=request.now)
    return ReplyOutcome(
        Delivery.RECORDED, _("Reply recorded on the case; nothing was sent to the customer.")
    )


for _channel in (Channel.PHONE, Channel.WEB):
    reply_handler_register(_channel, _recorded)


def case_reply(
    *,
    actor: Actor,
    case: Case,
    body: str,
    include_reply_to: bool = False,
    now: datetime | None = None,
) -> ReplyOutcome:
    """Answer the customer on the case's channel (see the module's docstring)."""
    require(actor, Permission.CASE_WORK, case.client_id)
    body = body.replace("\x00", "").strip()
    if not body:
        raise ValidationFailed([FieldError("body", _("write the reply first"))])
    if len(body) > REPLY_MAX:
        raise ValidationFailed(
            [FieldError("body", _("at most %(n)s characters") % {"n": REPLY_MAX})]
        )
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    handler = _handlers.get(case.channel)
    if handler is None:
        raise Conflict(_("replies on this channel cannot be sent from Pactline"))
    request = ReplyRequest(actor, case, body, include_reply_to, now or timezone.now())
    return handler(request)

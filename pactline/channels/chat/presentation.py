"""How a conversation reads, for the customer and for the agent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

from pactline.cases.models import AuthorKind
from pactline.cases.presentation import case_zone, stamp
from pactline.channels.chat.models import ChatMessage, ChatSession

Viewer = Literal["customer", "agent"]


@dataclass(frozen=True)
class MessageRow:
    id: int
    kind: str  # customer, agent, bot, system
    who: str
    text: str
    iso: str
    time: str  # HH:MM in the client's zone
    zone: str
    mine: bool  # written by the viewer's side of the conversation


def _who(message: ChatMessage, session: ChatSession, viewer: Viewer) -> str:
    kind = message.author_kind
    if kind == AuthorKind.CUSTOMER:
        return _("You") if viewer == "customer" else (session.customer_name or _("Customer"))
    if kind == AuthorKind.BOT:
        return message.author_label or _("Assistant")
    if kind == AuthorKind.SYSTEM:
        return _("System")
    return message.author_label or _("Agent")


def message_rows(
    session: ChatSession, messages: Iterable[ChatMessage], viewer: Viewer
) -> list[MessageRow]:
    zone = case_zone(session.case)
    rows = []
    for message in messages:
        at = stamp(message.sent_at, zone)
        customer_side = message.author_kind == AuthorKind.CUSTOMER
        rows.append(
            MessageRow(
                id=message.pk,
                kind=message.author_kind,
                who=_who(message, session, viewer),
                text=message.text,
                iso=message.sent_at.isoformat(),
                time=at.text[-5:],
                zone=at.zone,
                mine=customer_side if viewer == "customer" else not customer_side,
            )
        )
    return rows

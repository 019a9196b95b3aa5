"""Reads for chat: the client's chat channel in its agreement, sessions and their messages."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import QuerySet

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import chat_channel
from pactline.cases.models import Case
from pactline.channels.chat.access import chat_desk_client_ids
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client


def token_digest(token: str) -> str:
    """The stored form of a customer's session token (256 random bits: a plain hash is enough)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def chat_client(code: str, at: datetime) -> tuple[Client, AgreementVersion]:
    """The active client with this code whose agreement in force serves chat; NotFound if not."""
    client = Client.objects.filter(code=code, is_active=True).first()
    if client is None:
        raise NotFound
    version = agreement_version_in_force(client, at)
    if version is None or chat_channel(version.terms) is None:
        raise NotFound
    return client, version


def chat_session_by_token(client: Client, token: str) -> ChatSession:
    """The customer's own session; the same NotFound for a wrong token and another client's."""
    if not token or len(token) > 100:
        raise NotFound
    session = (
        ChatSession.objects.select_related("case", "client")
        .filter(client=client, token_digest=token_digest(token))
        .first()
    )
    if session is None:
        raise NotFound
    return session


def chat_messages(session: ChatSession, *, after: int = 0) -> QuerySet[ChatMessage]:
    """The session's messages after a cursor (`change_seq`), oldest first, for a caller that
    already holds the session (through `access_chat_session` or its token)."""
    return ChatMessage.objects.filter(
        client_id=session.client_id, session=session, change_seq__gt=after
    ).order_by("change_seq")


def chat_last_seq(session: ChatSession) -> int:
    last = (
        ChatMessage.objects.filter(client_id=session.client_id, session=session)
        .order_by("-change_seq")
        .values_list("change_seq", flat=True)
        .first()
    )
    return last or 0


def chat_sessions_open(*, actor: Actor) -> QuerySet[ChatSession]:
    """Open sessions of the clients whose cases the actor works, most recently active first."""
    return (
        ChatSession.objects.filter(client_id__in=chat_desk_client_ids(actor), ended_at__isnull=True)
        .select_related("client", "case")
        .order_by("-last_message_at", "-id")
    )


def chat_session_open_of(case: Case) -> ChatSession | None:
    """The case's open chat session (the most recently active, if several)."""
    return (
        ChatSession.objects.filter(client_id=case.client_id, case=case, ended_at__isnull=True)
        .order_by("-last_message_at", "-id")
        .first()
    )

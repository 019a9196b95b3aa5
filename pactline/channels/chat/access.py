"""Fetch-and-authorize for chat sessions: one NotFound for "missing" and "not yours"."""

from __future__ import annotations

from pactline.channels.chat.models import ChatSession
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
    require,
    visible_clients,
)


def access_chat_session(actor: Actor, session_id: int, *, for_write: bool = False) -> ChatSession:
    """The session, if the actor may see the client's cases (CASE_VIEW) or work them
    (CASE_WORK, `for_write`)."""
    session = (
        ChatSession.objects.select_related("client", "case", "contact")
        .filter(id=session_id)
        .first()
    )
    if session is None:
        raise NotFound
    require(actor, Permission.CASE_WORK if for_write else Permission.CASE_VIEW, session.client_id)
    return session


def chat_desk_client_ids(actor: Actor) -> list[int]:
    """The clients whose chats the actor answers (CASE_WORK)."""
    return [
        client_id
        for client_id in visible_clients(actor).values_list("id", flat=True)
        if has_permission(actor, Permission.CASE_WORK, client_id)
    ]


def require_chat_desk(actor: Actor) -> None:
    """The agents' list of open chats: Forbidden for anyone who works no client's cases (there
    is no single object to hide behind a 404)."""
    if not actor.is_system and not chat_desk_client_ids(actor):
        raise Forbidden


def can_use_chat_desk(actor: Actor) -> bool:
    """Whether `require_chat_desk` lets the actor in (the menu offers Chats only then)."""
    try:
        require_chat_desk(actor)
    except Forbidden:
        return False
    return True

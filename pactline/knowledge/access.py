"""Who may read and write a client's knowledge base.

Articles are written by those whose role carries KNOWLEDGE_WRITE (provider admins and
supervisors) and read by them and by the agents who are cleared for the client. Cannot see the
client → NotFound; sees it without the permission → Forbidden; a draft does not exist for
readers who may not write."""

from __future__ import annotations

from datetime import datetime

from pactline.common.errors import Forbidden, NotFound
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.tenancy.access import (
    Actor,
    Permission,
    can_see_client,
    has_permission,
    holds_role_permission,
    is_cleared,
)
from pactline.tenancy.models import Client


def can_write(actor: Actor, client_id: int) -> bool:
    """May keep the client's knowledge base (drafts included)."""
    return has_permission(actor, Permission.KNOWLEDGE_WRITE, client_id)


def require_writer(actor: Actor, client_id: int) -> None:
    if not can_see_client(actor, client_id):
        raise NotFound
    if not can_write(actor, client_id):
        raise Forbidden


def can_read(actor: Actor, client: Client, at: datetime) -> bool:
    """Those who write the knowledge base (even through a read-only token), and other readers
    (agents) while they are cleared for the client at `at`."""
    if actor.is_system or holds_role_permission(actor, Permission.KNOWLEDGE_WRITE, client.id):
        return True
    if not has_permission(actor, Permission.KNOWLEDGE_READ, client.id):
        return False
    # Clearance is judged in tenancy (the workforce registers its reader there): no workforce import.
    return is_cleared(actor, client.id, at)


def require_reader(actor: Actor, client: Client, at: datetime) -> None:
    if not can_see_client(actor, client.id):
        raise NotFound
    if not can_read(actor, client, at):
        raise Forbidden


def access_knowledge_client(
    actor: Actor, code: str, *, at: datetime, for_write: bool = False
) -> Client:
    client = Client.objects.filter(code=code).first()
    if client is None:
        raise NotFound
    if for_write:
        require_writer(actor, client.id)
    else:
        require_reader(actor, client, at)
    return client


def access_knowledge_article(
    actor: Actor, article_id: int, *, at: datetime, for_write: bool = False
) -> KnowledgeArticle:
    """The article; a draft is shown to writers only (to others it does not exist)."""
    article = KnowledgeArticle.objects.select_related("client").filter(id=article_id).first()
    if article is None:
        raise NotFound
    if for_write:
        require_writer(actor, article.client_id)
        return article
    require_reader(actor, article.client, at)
    if not article.published and not can_write(actor, article.client_id):
        raise NotFound
    return article


def access_knowledge_attachment(
    actor: Actor, article_id: int, attachment_id: int, *, at: datetime
) -> KnowledgeAttachment:
    article = access_knowledge_article(actor, article_id, at=at)
    attachment = article.attachments.filter(id=attachment_id).first()
    if attachment is None:
        raise NotFound
    return attachment

"""Reads for workforce records and the knowledge base, scoped by the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.workforce.access import (
    agent_can_work,
    can_manage,
    eligible_agents,
    require_knowledge_reader,
    require_manager,
)
from pactline.workforce.models import (
    AgentCertification,
    AgentRoutingState,
    ConfidentialityAgreement,
    KnowledgeArticle,
    KnowledgeAttachment,
)
from pactline.workforce.search import highlight, search_ids

__all__ = [
    "KnowledgeHit",
    "agent_can_work",
    "agent_certification_list",
    "agent_last_assigned",
    "confidentiality_agreement_list",
    "eligible_agents",
    "knowledge_article_list",
    "knowledge_attachment_list",
    "knowledge_search",
]

SEARCH_LIMIT_MAX = 100


@dataclass(frozen=True)
class KnowledgeHit:
    article: KnowledgeArticle
    score: float
    title: SafeString  # HTML-escaped, the query's terms in <mark>
    snippet: SafeString


def knowledge_search(
    *,
    actor: Actor,
    client: Client,
    query: str,
    limit: int = 20,
    now: datetime | None = None,
) -> list[KnowledgeHit]:
    """Articles of the client matching every term of `query`, best first, with a highlighted
    snippet. Drafts are found by managers only. Another client's knowledge → NotFound."""
    now = now or timezone.now()
    require_knowledge_reader(actor, client, now)
    found = search_ids(
        client_id=client.id,
        query=query,
        published_only=not can_manage(actor, client.id),
        limit=max(0, min(limit, SEARCH_LIMIT_MAX)),
    )
    articles = KnowledgeArticle.objects.in_bulk([article_id for article_id, _score in found])
    hits = []
    for article_id, score in found:
        article = articles[article_id]
        marked = highlight(article, query)
        hits.append(KnowledgeHit(article, score, marked.title, marked.snippet))
    return hits


def knowledge_article_list(
    *, actor: Actor, client: Client, now: datetime | None = None
) -> QuerySet[KnowledgeArticle]:
    require_knowledge_reader(actor, client, now or timezone.now())
    articles = KnowledgeArticle.objects.filter(client=client)
    if not can_manage(actor, client.id):
        articles = articles.filter(published=True)
    return articles.order_by("title", "id")


def knowledge_attachment_list(*, article: KnowledgeArticle) -> QuerySet[KnowledgeAttachment]:
    """Attachments of an article the caller has been given through `access_knowledge_article`."""
    return article.attachments.order_by("name", "id")


def agent_certification_list(*, actor: Actor, client: Client) -> QuerySet[AgentCertification]:
    require_manager(actor, client.id)
    return AgentCertification.objects.filter(client=client).select_related("user")


def confidentiality_agreement_list(
    *, actor: Actor, client: Client
) -> QuerySet[ConfidentialityAgreement]:
    require_manager(actor, client.id)
    return ConfidentialityAgreement.objects.filter(client=client).select_related("user")


def agent_last_assigned(*, client: Client, user_ids: list[int]) -> dict[int, datetime]:
    """When each of these agents was last given one of the client's cases (absent: never)."""
    rows = AgentRoutingState.objects.filter(client=client, user_id__in=user_ids).values_list(
        "user_id", "last_assigned_at"
    )
    return dict(rows)

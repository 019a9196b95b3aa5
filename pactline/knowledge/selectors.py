"""Reads of the knowledge base, scoped by the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from pactline.knowledge.access import can_write, require_reader
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.knowledge.search import highlight, search_ids
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

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
    snippet. Drafts are found by writers only. Another client's knowledge → NotFound."""
    now = now or timezone.now()
    require_reader(actor, client, now)
    found = search_ids(
        client_id=client.id,
        query=query,
        published_only=not can_write(actor, client.id),
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
    require_reader(actor, client, now or timezone.now())
    articles = KnowledgeArticle.objects.filter(client=client)
    if not can_write(actor, client.id):
        articles = articles.filter(published=True)
    return articles.order_by("title", "id")


def knowledge_attachment_list(*, article: KnowledgeArticle) -> QuerySet[KnowledgeAttachment]:
    """Attachments of an article the caller has been given through `access_knowledge_article`."""
    return article.attachments.order_by("name", "id")

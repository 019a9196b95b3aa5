"""Full-text search of knowledge articles, per database (indexes: workforce migrations 0002
and 0004).

A query is split on white space into terms; an article matches when it contains every term
(title, tags or body; case-insensitive), so Chinese words, which have no spaces between them,
are found as substrings.

- SQLite: an FTS5 table with the trigram tokenizer, written by the services in the article's
  transaction (`index_article`). Terms of 3+ characters go through MATCH, ranked by BM25 (title
  weighs most); a trigram index cannot look up shorter terms, so those are LIKE filters.
- PostgreSQL: ILIKE on the searched text (served by a pg_trgm GIN index) or the 'simple'
  tsvector matching the words; ranked by trigram word similarity (title counts double) plus
  `ts_rank`.
- Anything else: case-insensitive substring filters through the ORM, newest first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from pactline.knowledge.models import KnowledgeArticle

MAX_QUERY = 200
MAX_TERMS = 8
TRIGRAM = 3
FTS_TABLE = "knowledge_article_fts"
ARTICLES = KnowledgeArticle._meta.db_table
# Must match the indexed expression of workforce migration 0002 for PostgreSQL to use the indexes.
_PG_DOC = "(title || ' ' || tags::text || ' ' || body)"


def _strip_punctuation(term: str) -> str:
    start, end = 0, len(term)
    while start < end and unicodedata.category(term[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(term[end - 1]).startswith("P"):
        end -= 1
    return term[start:end]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order, at most MAX_TERMS. Punctuation around a term
    (quotes, a trailing comma or 。) is not part of it; inside a term it is matched as typed."""
    terms: list[str] = []
    for word in query[:MAX_QUERY].split():
        term = _strip_punctuation(word)
        if term and term.casefold() not in (seen.casefold() for seen in terms):
            terms.append(term)
    return terms[:MAX_TERMS]


def _tags_text(article: KnowledgeArticle) -> str:
    return " ".join(str(tag) for tag in article.tags or [])


def index_article(article: KnowledgeArticle) -> None:
    """Write the article's searchable text to the FTS table (SQLite; PostgreSQL indexes the
    table itself). Call inside the service's transaction."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, tags, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [article.pk, article.title, _tags_text(article), article.body],
        )


def unindex_article(article_id: int) -> None:
    """Remove a deleted article's text from the FTS table (SQLite)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])  # noqa: S608


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite(
    client_id: int, terms: list[str], published_only: bool, limit: int
) -> list[tuple[int, float]]:
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    short_terms = [term for term in terms if len(term) < TRIGRAM]
    where = ["a.client_id = %s"]
    params: list[Any] = [client_id]
    if published_only:
        where.append("a.published")
    for term in short_terms:
        where.append(
            f"({FTS_TABLE}.title LIKE %s ESCAPE '\\' OR {FTS_TABLE}.tags LIKE %s ESCAPE '\\'"
            f" OR {FTS_TABLE}.body LIKE %s ESCAPE '\\')"
        )
        params += [_like(term)] * 3
    if long_terms:
        where.append(f"{FTS_TABLE} MATCH %s")
        params.append(" ".join(_fts_phrase(term) for term in long_terms))
        score = f"-bm25({FTS_TABLE}, 10.0, 5.0, 1.0)"
        score_params: list[Any] = []
    else:
        score = f"CASE WHEN {FTS_TABLE}.title LIKE %s ESCAPE '\\' THEN 1.0 ELSE 0.0 END"
        score_params = [_like(terms[0])]
    sql = (
        f"SELECT a.id, {score} AS score FROM {FTS_TABLE} "  # noqa: S608 - fixed fragments
        f"JOIN {ARTICLES} AS a ON a.id = {FTS_TABLE}.rowid "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY score DESC, a.updated_at DESC, a.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*score_params, *params, limit])
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def _postgresql(
    client_id: int, terms: list[str], published_only: bool, limit: int
) -> list[tuple[int, float]]:
    text = " ".join(terms)
    likes = " AND ".join([f"{_PG_DOC} ILIKE %s"] * len(terms))
    sql = (
        "SELECT id, GREATEST(word_similarity(%s, title) * 2, word_similarity(%s, "  # noqa: S608
        f"{_PG_DOC})) + ts_rank(to_tsvector('simple', {_PG_DOC}), "
        "plainto_tsquery('simple', %s)) AS score "
        f"FROM {ARTICLES} WHERE client_id = %s "
        f"{'AND published ' if published_only else ''}"
        f"AND (({likes}) OR to_tsvector('simple', {_PG_DOC}) @@ plainto_tsquery('simple', %s)) "
        "ORDER BY score DESC, updated_at DESC, id LIMIT %s"
    )
    params: list[Any] = [text, text, text, client_id, *map(_like, terms), text, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


def _portable(
    client_id: int, terms: list[str], published_only: bool, limit: int
) -> list[tuple[int, float]]:
    articles = KnowledgeArticle.objects.filter(client_id=client_id)
    if published_only:
        articles = articles.filter(published=True)
    for term in terms:
        articles = articles.filter(Q(title__icontains=term) | Q(body__icontains=term))
    ids = articles.order_by("-updated_at", "id").values_list("id", flat=True)[:limit]
    return [(article_id, 0.0) for article_id in ids]


def search_ids(
    *, client_id: int, query: str, published_only: bool, limit: int
) -> list[tuple[int, float]]:
    """(article id, score) best first; higher scores are better, comparable within one call."""
    terms = query_terms(query)
    if not terms or limit <= 0:
        return []
    if connection.vendor == "sqlite":
        return _sqlite(client_id, terms, published_only, limit)
    if connection.vendor == "postgresql":
        return _postgresql(client_id, terms, published_only, limit)
    return _portable(client_id, terms, published_only, limit)


@dataclass(frozen=True)
class Highlighted:
    title: SafeString
    snippet: SafeString


def _marked(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` escaped for HTML, each match of `pattern` in a <mark>."""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        out += [escape(text[position : match.start()]), f"<mark>{escape(match.group(0))}</mark>"]
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(article: KnowledgeArticle, query: str, *, width: int = 160) -> Highlighted:
    """The title and a window of the body around the first match, terms marked, HTML-safe."""
    terms = sorted(query_terms(query), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE) if terms else None
    body = " ".join(article.body.split())
    first = pattern.search(body) if pattern else None
    start = max(0, first.start() - width // 4) if first else 0
    end = min(len(body), start + width)
    window = body[start:end]
    snippet = _marked(window, pattern)
    if start > 0:
        snippet = "…" + snippet
    if end < len(body):
        snippet += "…"
    return Highlighted(
        title=mark_safe(_marked(article.title, pattern)),  # escaped above
        snippet=mark_safe(snippet),  # escaped above
    )

"""Knowledge search, the same answers on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm +
tsvector): English words, Chinese substrings of any length, every term required, scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from pactline.common.errors import Forbidden, NotFound
from pactline.knowledge.selectors import knowledge_article_list, knowledge_search
from pactline.knowledge.services import knowledge_article_update
from pactline.knowledge.tests.support import (  # noqa: F401 - fixture
    AT,
    RETURNS_BODY,
    RETURNS_TITLE,
    SYSTEM,
    Programmes,
    article,
    programmes_fixture,
)

pytestmark = pytest.mark.django_db


def _titles(programmes: Programmes, query: str, persona: str = "client_a_agent") -> list[str]:
    actor = getattr(programmes.world, persona).actor
    hits = knowledge_search(actor=actor, client=programmes.world.client_a, query=query, now=AT)
    return [hit.article.title for hit in hits]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("无理由退货", [RETURNS_TITLE]),  # 5 characters: the trigram index
        ("退货", [RETURNS_TITLE]),  # 2 characters: too short for trigrams, substring fallback
        ("七天 退款", [RETURNS_TITLE]),  # every term, anywhere in the article
        ("售后", [RETURNS_TITLE]),  # a tag
        ("换货", []),
    ],
)
def test_chinese_is_found_by_any_substring(
    programmes: Programmes, query: str, found: list[str]
) -> None:
    assert _titles(programmes, query) == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("payment", ["Refund policy"]),
        ("REFUNDS payment", ["Refund policy"]),
        ("billing", ["Refund policy"]),  # a tag
        ("order number", ["Refund policy"]),
        ("warranty", []),
        ("refund warranty", []),  # every term must match
        ("5", ["Refund policy"]),  # a one-character term
    ],
)
def test_english_words(programmes: Programmes, query: str, found: list[str]) -> None:
    assert _titles(programmes, query) == found


def test_a_title_match_ranks_first(programmes: Programmes) -> None:
    # Both articles mention refunds; only one is titled so.
    assert _titles(programmes, "refund") == ["Refund policy", "Escalating a complaint"]
    assert _titles(programmes, "complaint") == ["Escalating a complaint"]


def test_like_wildcards_are_plain_characters(programmes: Programmes) -> None:
    assert _titles(programmes, "re%nd") == []
    assert _titles(programmes, "e_u") == []
    assert _titles(programmes, "re\\fund") == []


def test_punctuation_around_a_term_is_ignored(programmes: Programmes) -> None:
    assert _titles(programmes, "%") == []
    assert _titles(programmes, '"refund",') == ["Refund policy", "Escalating a complaint"]
    assert _titles(programmes, "“退货”。") == [RETURNS_TITLE]


def test_blank_queries_find_nothing(programmes: Programmes) -> None:
    assert _titles(programmes, "   ") == []


def test_snippets_mark_the_terms_and_escape_the_text(programmes: Programmes) -> None:
    world = programmes.world
    article(world.client_a, "Tags <b>", "Never paste <script>alert(1)</script> into a reply.")
    [hit] = knowledge_search(
        actor=world.client_a_agent.actor, client=world.client_a, query="script", now=AT
    )
    assert hit.title == "Tags &lt;b&gt;"
    assert hit.snippet == (
        "Never paste &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; into a reply."
    )
    [hit] = knowledge_search(
        actor=world.client_a_agent.actor, client=world.client_a, query="无理由退货", now=AT
    )
    assert hit.title == "退货流程：七天<mark>无理由退货</mark>"
    # The body is shorter than a snippet: all of it, no ellipsis.
    assert hit.snippet == RETURNS_BODY.replace("无理由退货", "<mark>无理由退货</mark>")


def test_a_long_body_is_cut_around_the_first_match(programmes: Programmes) -> None:
    world = programmes.world
    body = "a" * 300 + " needle " + "b" * 300
    article(world.client_a, "Haystack", body)
    [hit] = knowledge_search(
        actor=world.client_a_agent.actor, client=world.client_a, query="needle", now=AT
    )
    # 160 characters from 40 before the match.
    assert hit.snippet == "…" + "a" * 39 + " <mark>needle</mark> " + "b" * 113 + "…"


def test_an_updated_article_is_found_by_its_new_text_only(programmes: Programmes) -> None:
    knowledge_article_update(
        actor=SYSTEM,
        article=programmes.refund,
        title="Refund policy",
        body="Refunds take three business days.",
        language="en",
        now=AT + timedelta(hours=1),
    )
    assert _titles(programmes, "payment") == []
    assert _titles(programmes, "three business") == ["Refund policy"]


def test_drafts_are_found_by_managers_only(programmes: Programmes) -> None:
    assert _titles(programmes, "holiday") == []
    assert _titles(programmes, "holiday", "supervisor") == ["Holiday returns (draft)"]
    assert _titles(programmes, "holiday", "provider_admin") == ["Holiday returns (draft)"]
    listed = knowledge_article_list(
        actor=programmes.world.client_a_agent.actor, client=programmes.world.client_a, now=AT
    )
    assert [item.title for item in listed] == [
        "Escalating a complaint",
        "Refund policy",
        RETURNS_TITLE,
    ]


def test_another_clients_knowledge_does_not_exist_for_an_agent(programmes: Programmes) -> None:
    world = programmes.world
    with pytest.raises(NotFound):
        knowledge_search(actor=world.client_b_agent.actor, client=world.client_a, query="退货")
    with pytest.raises(NotFound):
        knowledge_article_list(actor=world.client_b_agent.actor, client=world.client_a)
    # Client B's own search never returns client A's articles.
    hits = knowledge_search(
        actor=world.client_b_agent.actor, client=world.client_b, query="工作日", now=AT
    )
    assert [hit.article.pk for hit in hits] == [programmes.b_article.pk]
    assert (
        knowledge_search(
            actor=world.client_b_agent.actor, client=world.client_b, query="退货", now=AT
        )
        == []
    )


@pytest.mark.parametrize("persona", ["client_a_manager", "client_a_viewer"])
def test_who_sees_the_client_without_being_allowed_is_forbidden(
    programmes: Programmes, persona: str
) -> None:
    actor = getattr(programmes.world, persona).actor
    with pytest.raises(Forbidden):
        knowledge_search(actor=actor, client=programmes.world.client_a, query="退货", now=AT)


def test_an_agent_not_cleared_for_the_client_does_not_see_it(programmes: Programmes) -> None:
    from pactline.tenancy.access import actor_for_user

    actor = actor_for_user(programmes.a_uncertified, at=AT)
    with pytest.raises(NotFound):
        knowledge_search(actor=actor, client=programmes.world.client_a, query="退货", now=AT)


def test_the_search_uses_the_databases_own_index(programmes: Programmes) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM knowledge_article_fts")
            assert cursor.fetchone()[0] == 5
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = "
                "'knowledge_knowledgearticle' AND indexname IN "
                "('knowledge_article_trgm', 'knowledge_article_tsv') ORDER BY indexname"
            )
            assert [row[0] for row in cursor.fetchall()] == [
                "knowledge_article_trgm",
                "knowledge_article_tsv",
            ]

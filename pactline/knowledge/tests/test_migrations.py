"""The knowledge base left the workforce app without losing a row: migrated back to before the
move, an article with an attachment is written into the workforce tables (and, on SQLite, its
full-text index); migrated forward, both are intact and linked, the search finds the article,
and the content types follow the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

from conftest import World
from pactline.knowledge.models import KnowledgeArticle
from pactline.knowledge.search import search_ids, unindex_article

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = ("workforce", "0003_redacted_text")
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader: the graph as now applied


def _latest() -> list[tuple[str, str | None]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move(world: World) -> Iterator[StateApps]:
    """The workforce app's models as they were before the move; the database at its latest
    state again afterwards, whatever the test did."""
    latest = _latest()
    executor = _migrate([("knowledge", None), BEFORE_THE_MOVE])
    try:
        yield executor.loader.project_state(BEFORE_THE_MOVE).apps
    finally:
        _migrate(latest)


def _content_type_labels() -> list[str]:
    rows = ContentType.objects.filter(model__in=["knowledgearticle", "knowledgeattachment"])
    return sorted(
        f"{app_label}.{model}" for app_label, model in rows.values_list("app_label", "model")
    )


def test_articles_and_attachments_survive_the_move(
    world: World, before_the_move: StateApps
) -> None:
    old_article_model = before_the_move.get_model("workforce", "KnowledgeArticle")
    old_attachment_model = before_the_move.get_model("workforce", "KnowledgeAttachment")
    assert old_article_model._meta.db_table == "workforce_knowledgearticle"
    assert _content_type_labels() == [
        "workforce.knowledgearticle",
        "workforce.knowledgeattachment",
    ]
    old = old_article_model.objects.create(
        client_id=world.client_a.pk,
        title="退货流程",
        body="顾客签收商品后七天内可以申请无理由退货。",
        language="zh-hans",
        tags=["退货"],
        published=True,
        created_at=AT,
        updated_at=AT,
    )
    old_file = old_attachment_model.objects.create(
        client_id=world.client_a.pk,
        article=old,
        file=f"knowledge/{world.client_a.pk}/{old.pk}/form.pdf",
        name="退货表.pdf",
        content_type="application/pdf",
        size=8,
        created_at=AT,
    )
    if connection.vendor == "sqlite":  # what the services wrote then, under the old name
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO workforce_knowledge_fts (rowid, title, tags, body) "
                "VALUES (%s, %s, %s, %s)",
                [old.pk, old.title, "退货", old.body],
            )

    try:
        _migrate(_latest())
        article = KnowledgeArticle.objects.get(pk=old.pk)
        assert (
            article.client_id,
            article.title,
            article.body,
            article.language,
            article.tags,
            article.published,
            article.created_at,
        ) == (world.client_a.pk, "退货流程", old.body, "zh-hans", ["退货"], True, AT)
        attachment = article.attachments.get()
        assert (attachment.pk, attachment.client_id, attachment.file.name, attachment.name) == (
            old_file.pk,
            world.client_a.pk,
            old_file.file.name,
            "退货表.pdf",
        )
        assert (attachment.content_type, attachment.size, attachment.created_at) == (
            "application/pdf",
            8,
            AT,
        )
        found = search_ids(
            client_id=world.client_a.pk, query="无理由", published_only=True, limit=5
        )
        assert [article_id for article_id, _score in found] == [article.pk]
        assert _content_type_labels() == [
            "knowledge.knowledgearticle",
            "knowledge.knowledgeattachment",
        ]
    finally:
        unindex_article(old.pk)  # the index table is not emptied between tests

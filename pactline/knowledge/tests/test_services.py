"""Knowledge services: who may call them, idempotency, audit, validation, attachments."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from pytest_django.fixtures import Settings

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.knowledge.selectors import knowledge_search
from pactline.knowledge.services import (
    knowledge_article_create,
    knowledge_article_delete,
    knowledge_article_publish,
    knowledge_article_update,
    knowledge_attachment_add,
)
from pactline.knowledge.tests.support import AT, SYSTEM, article

pytestmark = pytest.mark.django_db


def _audit(prefix: str) -> list[tuple[str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", "payload")
    )


def _paths(failed: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [error.path for error in failed.value.errors]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("provider_admin", None),
        ("supervisor", None),
        ("client_a_agent", Forbidden),
        ("client_a_manager", Forbidden),
        ("client_a_viewer", Forbidden),
        ("client_b_agent", NotFound),
        ("client_b_manager", NotFound),
    ],
)
def test_only_provider_admins_and_supervisors_write_articles(
    world: World, persona: str, error: type[Exception] | None
) -> None:
    actor = getattr(world, persona).actor

    def call() -> None:
        knowledge_article_create(actor=actor, client=world.client_a, title="T", body="B")

    if error is None:
        call()
    else:
        with pytest.raises(error):
            call()
    assert KnowledgeArticle.objects.count() == (0 if error else 1)


def test_articles_are_validated_and_cleaned(world: World) -> None:
    with pytest.raises(ValidationFailed) as failed:
        knowledge_article_create(
            actor=SYSTEM,
            client=world.client_a,
            title="  ",
            body="",
            language="fr",
            tags=["x" * 41],
        )
    assert _paths(failed) == ["title", "body", "language", "tags"]
    created = knowledge_article_create(
        actor=SYSTEM,
        client=world.client_a,
        title="  Refund \n policy ",
        body="Line one\r\nLine two\n",
        tags=[" billing ", "billing", "", "退款"],
        now=AT,
    )
    assert (created.title, created.body, created.tags, created.published) == (
        "Refund policy",
        "Line one\nLine two",
        ["billing", "退款"],
        False,
    )


def test_update_and_publish_change_only_what_differs(world: World) -> None:
    load(world.client_a, "general-outsourcing")
    item = article(world.client_a, "Refund policy", "Five days.", published=False)
    same = knowledge_article_update(
        actor=SYSTEM, article=item, title="Refund policy", body="Five days.", language="en"
    )
    assert same.updated_at == AT
    later = AT + timedelta(days=1)
    changed = knowledge_article_update(
        actor=SYSTEM,
        article=item,
        title="Refund policy",
        body="Three days.",
        language="en",
        tags=["billing"],
        now=later,
    )
    assert (changed.body, changed.tags, changed.updated_at) == ("Three days.", ["billing"], later)
    knowledge_article_publish(actor=SYSTEM, article=item, now=later)
    knowledge_article_publish(actor=SYSTEM, article=item, now=later)
    knowledge_article_publish(actor=SYSTEM, article=item, published=False, now=later)
    assert _audit("knowledge_article.") == [
        (
            "knowledge_article.created",
            {"title": "Refund policy", "language": "en", "published": False},
        ),
        ("knowledge_article.updated", {"title": "Refund policy", "changed": ["body", "tags"]}),
        ("knowledge_article.published", {"title": "Refund policy"}),
        ("knowledge_article.withdrawn", {"title": "Refund policy"}),
    ]


def test_attachments_are_stored_under_generated_names(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    stored = knowledge_attachment_add(
        actor=SYSTEM,
        article=item,
        content=io.BytesIO(b"%PDF-1.4 returns form"),
        name='C:\\forms\\..\\退货 "form".PDF',
        content_type="application/pdf; charset=binary",
        now=AT,
    )
    assert (stored.name, stored.content_type, stored.size, stored.client_id) == (
        "退货 form.PDF",
        "application/pdf",
        21,
        world.client_a.pk,
    )
    assert stored.file.name.startswith(f"knowledge/{world.client_a.pk}/{item.pk}/")
    assert stored.file.name.endswith(".pdf")
    assert default_storage.open(stored.file.name).read() == b"%PDF-1.4 returns form"
    assert _audit("knowledge_attachment.")[0][1] == {
        "article": item.pk,
        "name": "退货 form.PDF",
        "size": 21,
        "content_type": "application/pdf",
    }


def test_an_empty_or_unnamed_attachment_is_refused_and_nothing_is_stored(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    with pytest.raises(ValidationFailed) as failed:
        knowledge_attachment_add(actor=SYSTEM, article=item, content=io.BytesIO(b""), name="/")
    assert _paths(failed) == ["name", "file"]
    assert KnowledgeAttachment.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_an_attachment_over_the_limit_is_refused(
    world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("pactline.knowledge.services.ATTACHMENT_MAX_BYTES", 10)
    item = article(world.client_a, "Returns", "Form attached.")
    with pytest.raises(ValidationFailed) as failed:
        knowledge_attachment_add(
            actor=SYSTEM, article=item, content=io.BytesIO(b"x" * 11), name="big.bin"
        )
    assert _paths(failed) == ["file"]
    assert KnowledgeAttachment.objects.count() == 0


def test_deleting_an_article_removes_its_text_and_files(
    world: World,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    kept = article(world.client_a, "Returns abroad", "Customs form.")
    stored = knowledge_attachment_add(
        actor=SYSTEM, article=item, content=io.BytesIO(b"form"), name="form.txt"
    )
    with django_capture_on_commit_callbacks(execute=True):
        knowledge_article_delete(actor=SYSTEM, article=item, now=AT)
    assert list(KnowledgeArticle.objects.values_list("pk", flat=True)) == [kept.pk]
    assert KnowledgeAttachment.objects.count() == 0
    assert not default_storage.exists(stored.file.name)
    hits = knowledge_search(actor=SYSTEM, client=world.client_a, query="returns", now=AT)
    assert [hit.article.pk for hit in hits] == [kept.pk]
    assert _audit("knowledge_article.deleted") == [
        ("knowledge_article.deleted", {"title": "Returns", "attachments": 1})
    ]

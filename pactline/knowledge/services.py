"""Writes for the knowledge base. Each owns its transaction, is audited when it changes
something, changes nothing when asked for what already holds, and keeps the full-text index in
step in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.common.errors import FieldError, ValidationFailed
from pactline.knowledge.access import require_writer
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment, KnowledgeLanguage
from pactline.knowledge.search import index_article, unindex_article
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

TITLE_MAX = 300
BODY_MAX = 200_000
TAGS_MAX = 20
TAG_MAX = 40
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
NAME_MAX = 200


def article_fields_clean(
    *, title: str, body: str, language: str, tags: list[str] | tuple[str, ...]
) -> dict[str, Any]:
    """Cleaned fields of an article, or ValidationFailed naming each bad one."""
    errors: list[FieldError] = []
    title = " ".join(title.split())
    if not title:
        errors.append(FieldError("title", _("an article needs a title")))
    elif len(title) > TITLE_MAX:
        errors.append(FieldError("title", _("at most %(n)d characters") % {"n": TITLE_MAX}))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        errors.append(FieldError("body", _("an article needs a body")))
    elif len(body) > BODY_MAX:
        errors.append(FieldError("body", _("at most %(n)d characters") % {"n": BODY_MAX}))
    if language not in KnowledgeLanguage.values:
        errors.append(FieldError("language", _("must be one of: en, zh-hans")))
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        errors.append(FieldError("tags", _("at most %(n)d tags") % {"n": TAGS_MAX}))
    if any(len(tag) > TAG_MAX for tag in cleaned):
        errors.append(FieldError("tags", _("a tag has at most %(n)d characters") % {"n": TAG_MAX}))
    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "body": body, "language": language, "tags": cleaned}


@transaction.atomic
def knowledge_article_create(
    *,
    actor: Actor,
    client: Client,
    title: str,
    body: str,
    language: str = KnowledgeLanguage.EN,
    tags: list[str] | tuple[str, ...] = (),
    published: bool = False,
    now: datetime | None = None,
) -> KnowledgeArticle:
    require_writer(actor, client.id)
    fields = article_fields_clean(title=title, body=body, language=language, tags=tags)
    now = now or timezone.now()
    article = KnowledgeArticle.objects.create(
        client=client, published=published, created_at=now, updated_at=now, **fields
    )
    index_article(article)
    audit_record(
        actor=actor,
        action="knowledge_article.created",
        client_id=client.id,
        obj=article,
        payload={"title": article.title, "language": article.language, "published": published},
        at=now,
    )
    return article


@transaction.atomic
def knowledge_article_update(
    *,
    actor: Actor,
    article: KnowledgeArticle,
    title: str,
    body: str,
    language: str,
    tags: list[str] | tuple[str, ...] = (),
    now: datetime | None = None,
) -> KnowledgeArticle:
    require_writer(actor, article.client_id)
    fields = article_fields_clean(title=title, body=body, language=language, tags=tags)
    article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    changed = sorted(name for name, value in fields.items() if getattr(article, name) != value)
    if not changed:
        return article
    now = now or timezone.now()
    for name, value in fields.items():
        setattr(article, name, value)
    article.updated_at = now
    article.save(update_fields=[*changed, "updated_at"])
    index_article(article)
    audit_record(
        actor=actor,
        action="knowledge_article.updated",
        client_id=article.client_id,
        obj=article,
        payload={"title": article.title, "changed": changed},
        at=now,
    )
    return article


@transaction.atomic
def knowledge_article_publish(
    *,
    actor: Actor,
    article: KnowledgeArticle,
    published: bool = True,
    now: datetime | None = None,
) -> KnowledgeArticle:
    """Publish (agents can find and read it) or withdraw an article."""
    require_writer(actor, article.client_id)
    article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    if article.published == published:
        return article
    now = now or timezone.now()
    article.published = published
    article.updated_at = now
    article.save(update_fields=["published", "updated_at"])
    audit_record(
        actor=actor,
        action="knowledge_article.published" if published else "knowledge_article.withdrawn",
        client_id=article.client_id,
        obj=article,
        payload={"title": article.title},
        at=now,
    )
    return article


def _clean_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(char for char in base if char.isprintable() and char not in '"<>')
    return base.strip()[:NAME_MAX]


@transaction.atomic
def knowledge_attachment_add(
    *,
    actor: Actor,
    article: KnowledgeArticle,
    content: IO[bytes] | File[bytes],
    name: str,
    content_type: str = "application/octet-stream",
    now: datetime | None = None,
) -> KnowledgeAttachment:
    """Store a file with the article, under a generated name (the given name is only shown)."""
    require_writer(actor, article.client_id)
    cleaned = _clean_name(name)
    upload = content if isinstance(content, File) else File(content)
    size = upload.size
    errors: list[FieldError] = []
    if not cleaned:
        errors.append(FieldError("name", _("the file needs a name")))
    if size == 0:
        errors.append(FieldError("file", _("the file is empty")))
    elif size > ATTACHMENT_MAX_BYTES:
        errors.append(
            FieldError(
                "file",
                _("at most %(mb)d MB") % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            )
        )
    kind = (content_type or "").split(";")[0].strip().lower()[:100] or "application/octet-stream"
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    suffix = PurePath(cleaned).suffix.lower()[:12]
    path = default_storage.save(
        f"knowledge/{article.client_id}/{article.pk}/{uuid.uuid4().hex}{suffix}", upload
    )
    try:
        attachment = KnowledgeAttachment.objects.create(
            client_id=article.client_id,
            article=article,
            file=path,
            name=cleaned,
            content_type=kind,
            size=size,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="knowledge_attachment.added",
            client_id=article.client_id,
            obj=attachment,
            payload={"article": article.pk, "name": cleaned, "size": size, "content_type": kind},
            at=now,
        )
    except BaseException:
        default_storage.delete(path)  # nothing half-written: no file without its row
        raise
    return attachment


@transaction.atomic
def knowledge_article_delete(
    *, actor: Actor, article: KnowledgeArticle, now: datetime | None = None
) -> None:
    """Delete an article with its attachments (their files go once the deletion commits)."""
    require_writer(actor, article.client_id)
    article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    paths = [str(attachment.file.name) for attachment in article.attachments.all()]
    article_id, title = article.pk, article.title
    audit_record(
        actor=actor,
        action="knowledge_article.deleted",
        client_id=article.client_id,
        obj=article,
        payload={"title": title, "attachments": len(paths)},
        at=now or timezone.now(),
    )
    article.delete()
    unindex_article(article_id)

    def remove_files() -> None:
        for path in paths:
            default_storage.delete(path)

    transaction.on_commit(remove_files)

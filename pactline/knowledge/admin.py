"""Admin for knowledge articles. Every save goes through the services (audited, idempotent,
index kept in step); nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pactline.common.errors import ValidationFailed
from pactline.knowledge.access import can_write
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.knowledge.services import (
    article_fields_clean,
    knowledge_article_create,
    knowledge_article_publish,
    knowledge_article_update,
)
from pactline.tenancy.access import Actor, actor_for_user


class KnowledgeAttachmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = KnowledgeAttachment
    fields = ("name", "content_type", "size", "created_at")
    readonly_fields = ("name", "content_type", "size", "created_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ArticleForm(forms.ModelForm):  # type: ignore[type-arg]
    """Knows who saves it: checks the client and the fields up front, as the services will."""

    actor: Actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        client = data.get("client") or getattr(self.instance, "client", None)
        if client is not None and not can_write(self.actor, client.id):
            self.add_error(None, _("You may not manage this client's knowledge base."))
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            self.add_error("tags", _("Give the tags as a JSON list of strings."))
            return data
        try:
            article_fields_clean(
                title=data.get("title") or "",
                body=data.get("body") or "",
                language=data.get("language") or "",
                tags=tags,
            )
        except ValidationFailed as failed:
            for error in failed.errors:
                self.add_error(error.path if error.path in self.fields else None, error.message)
        return data


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin[KnowledgeArticle]):
    form = _ArticleForm
    fields = ["client", "title", "language", "tags", "published", "body"]
    list_display = ["title", "client", "language", "published", "updated_at"]
    list_filter = ["client", "language", "published"]
    search_fields = ["title"]
    inlines = [KnowledgeAttachmentInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = actor_for_user(request.user)  # type: ignore[attr-defined] # a fresh class
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["client"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: KnowledgeArticle, form: ModelForm[Any], change: bool
    ) -> None:
        actor = actor_for_user(request.user)
        fields: dict[str, Any] = {
            "title": obj.title,
            "body": obj.body,
            "language": obj.language,
            "tags": list(obj.tags or []),
        }
        if change:
            saved = KnowledgeArticle.objects.get(pk=obj.pk)
            saved = knowledge_article_update(actor=actor, article=saved, **fields)
            saved = knowledge_article_publish(actor=actor, article=saved, published=obj.published)
        else:
            saved = knowledge_article_create(
                actor=actor, client=obj.client, published=obj.published, **fields
            )
        # Point the admin's object at the row the service wrote (for the redirect).
        obj.pk = saved.pk
        obj._state.adding = False

"""The client's knowledge base: articles of training material and their attachments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.fields import RedactedCharField, RedactedTextField
from pactline.common.models import ClientOwned


class KnowledgeLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class KnowledgeArticle(ClientOwned):
    """A piece of the client's training material. Only the services write it: they keep the
    full-text index (`pactline.knowledge.search`) in step in the same transaction."""

    title = RedactedCharField(_("title"), max_length=300)
    body = RedactedTextField(_("body"))
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=KnowledgeLanguage.choices,
        default=KnowledgeLanguage.EN,
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "published", "title"])]
        ordering = ["title", "id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self) -> str:
        return self.title


class KnowledgeAttachment(ClientOwned):
    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="knowledge/", max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article_id", "name", "id"]
        verbose_name = _("knowledge attachment")
        verbose_name_plural = _("knowledge attachments")

    def __str__(self) -> str:
        return self.name

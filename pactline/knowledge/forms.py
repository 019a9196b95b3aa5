from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pactline.knowledge.models import KnowledgeArticle, KnowledgeLanguage
from pactline.knowledge.services import BODY_MAX, TITLE_MAX

_TAG_SEPARATORS = re.compile(r"[,，、;；]")


def tags_from_text(text: str) -> list[str]:
    """Tags typed as one line: commas (also the Chinese comma and enumeration comma) separate."""
    return [tag.strip() for tag in _TAG_SEPARATORS.split(text) if tag.strip()]


class KnowledgeArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    language = forms.ChoiceField(label=_("Language"), choices=KnowledgeLanguage.choices)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 16})
    )
    published = forms.BooleanField(
        label=_("Published (agents can find and read it)"), required=False
    )
    attachment = forms.FileField(
        label=_("Add an attachment"),
        required=False,
        help_text=_("Up to 20 MB."),  # ATTACHMENT_MAX_BYTES
    )

    @classmethod
    def initial_for(cls, article: KnowledgeArticle) -> dict[str, Any]:
        return {
            "title": article.title,
            "language": article.language,
            "tags": ", ".join(article.tags or []),
            "body": article.body,
            "published": article.published,
        }

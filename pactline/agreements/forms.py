from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from pactline.agreements.documents import Format

# Generous for a contract, small enough that a wrong upload is refused before parsing.
MAX_DOCUMENT_BYTES = 1_000_000


def _format_of(name: str) -> Format | None:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return None


class AgreementDocumentForm(forms.Form):
    """A document pasted as text or uploaded as a file (exactly one of the two)."""

    text = forms.CharField(
        label=_("Paste the document (YAML or JSON)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code-input"}),
    )
    file = forms.FileField(label=_("…or upload a file (.yaml, .yml, .json)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text: str = cleaned.get("text") or ""
        upload: UploadedFile[bytes] | None = cleaned.get("file")
        if upload is not None and text.strip():
            raise forms.ValidationError(_("Paste a document or upload a file, not both."))
        if upload is None and not text.strip():
            raise forms.ValidationError(_("Paste a document or upload a file."))
        if upload is not None:
            if (upload.size or 0) > MAX_DOCUMENT_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(limit)s bytes.") % {"limit": MAX_DOCUMENT_BYTES}
                )
            cleaned["source"] = upload.read()
            cleaned["format"] = _format_of(upload.name or "")
        else:
            if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
                raise forms.ValidationError(
                    _("The text is larger than %(limit)s bytes.") % {"limit": MAX_DOCUMENT_BYTES}
                )
            cleaned["source"] = text
            cleaned["format"] = None
        return cleaned

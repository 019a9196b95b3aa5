"""Recordings and transcripts kept for a client's cases.

A recording's file lives in Django's default storage under
`recordings/<client code>/<sha256>.<ext>`; the sha256 is of the bytes as stored (a transcript is
stored only after its card data is redacted, so no digest of card data is ever kept)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.fields import RedactedTextField
from pactline.common.models import ClientOwned


class RecordingKind(models.TextChoices):
    RECORDING = "recording", _("Recording")
    TRANSCRIPT = "transcript", _("Transcript")


class Recording(ClientOwned):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RecordingKind.choices)
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    transcript_text = RedactedTextField(_("transcript"), blank=True)
    source = models.CharField(_("source reference"), max_length=200, blank=True)
    created_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "case", "sha256"], name="recording_case_sha256_unique"
            )
        ]
        indexes = [models.Index(fields=["client", "created_at"])]
        ordering = ["-created_at", "-id"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} of case {self.case_id}"

    @property
    def is_transcript(self) -> bool:
        return self.kind == RecordingKind.TRANSCRIPT

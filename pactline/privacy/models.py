"""A client's requests for the recordings and transcripts kept for its cases
(`pactline.channels.recordings`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.channels.recordings.models import Recording
from pactline.common.fields import RedactedTextField
from pactline.common.models import ClientOwned


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MaterialRequest(ClientOwned):
    """A client's request for one recording or transcript. Approval opens a download window
    (`link_expires_at`) for the requesting user only."""

    recording = models.ForeignKey(
        Recording, on_delete=models.PROTECT, related_name="requests", verbose_name=_("recording")
    )
    requested_by_label = models.CharField(_("requested by"), max_length=150)
    requested_by_user_id = models.BigIntegerField(null=True, blank=True)
    reason = RedactedTextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    decided_by_label = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_by_user_id = models.BigIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = RedactedTextField(_("decision note"), blank=True)
    link_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "status"])]
        ordering = ["-created_at", "-id"]
        verbose_name = _("material request")
        verbose_name_plural = _("material requests")

    def __str__(self) -> str:
        return f"request #{self.pk} for recording {self.recording_id}"

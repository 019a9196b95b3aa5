"""Outbound campaigns: call lists, attempts and dispositions, and the do-not-call list."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.crypto import EncryptedTextField
from pactline.common.fields import RedactedTextField
from pactline.common.models import ClientOwned


class CampaignKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    SATISFACTION_SURVEY = "satisfaction_survey", _("Satisfaction survey")
    PROACTIVE_OUTREACH = "proactive_outreach", _("Proactive outreach")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")


class Campaign(ClientOwned):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=CampaignKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    calendar = models.CharField(_("calling window (calendar)"), max_length=60)
    max_attempts = models.PositiveIntegerField(_("attempts per number"), default=3)
    retry_minutes = models.PositiveIntegerField(_("minutes between attempts"), default=120)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="campaign_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class DoNotCall(ClientOwned):
    """A number the client's customer asked not to be called on; checked at every dial."""

    digest = models.CharField(max_length=64)
    added_at = models.DateTimeField()
    source = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "digest"], name="do_not_call_unique")
        ]

    def __str__(self) -> str:
        return f"do-not-call {self.digest[:8]}"


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    COMPLETED = "completed", _("Completed")
    EXHAUSTED = "exhausted", _("Attempts used up")
    DO_NOT_CALL = "do_not_call", _("Do not call")


class CallListEntry(ClientOwned):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey("cases.Contact", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = EncryptedTextField()
    phone_digest = models.CharField(max_length=64)
    line_number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "campaign", "phone_digest"], name="call_list_number_once"
            )
        ]
        indexes = [models.Index(fields=["campaign", "status", "next_attempt_at"])]
        ordering = ["campaign_id", "line_number"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.line_number}"


class Disposition(models.TextChoices):
    REACHED_RESOLVED = "reached_resolved", _("Reached, resolved")
    REACHED_FOLLOW_UP = "reached_follow_up", _("Reached, needs follow-up")
    SURVEY_COMPLETED = "survey_completed", _("Survey completed")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CALL = "do_not_call", _("Asked not to be called")


RETRY = frozenset({Disposition.NO_ANSWER, Disposition.BUSY, Disposition.VOICEMAIL})


class CallAttempt(ClientOwned):
    entry = models.ForeignKey(CallListEntry, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    agent = models.CharField(max_length=150)
    disposition = models.CharField(max_length=24, choices=Disposition.choices)
    notes = RedactedTextField(blank=True)
    survey_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["entry_id", "attempted_at"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.disposition}"

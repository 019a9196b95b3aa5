"""Email messages of cases, their attachments, and the quarantine of mail that could not be used.

Messages and attachments are records: written once, never changed (`save` refuses updates).
Each message carries `change_seq`, monotonic per client, so consumers (metrics, billing) read
new messages in order from their own cursor. The raw source is kept in storage, redacted of card
data and content-addressed (`email/raw/<client>/<sha256>.eml`, ADR 0002); the row holds its path
and the checksum of the bytes as received, which recognises the same delivery again."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.fields import RedactedCharField, RedactedJSONField, RedactedTextField
from pactline.common.models import AppendOnly, ClientOwned


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class EmailMessage(ClientOwned, AppendOnly):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="email_messages")
    contact = models.ForeignKey(
        "cases.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    message_id = models.CharField(_("Message-ID"), max_length=998)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.JSONField(_("References"), default=list, blank=True)
    from_name = RedactedCharField(_("sender name"), max_length=200, blank=True)
    from_address = models.CharField(_("from"), max_length=320)
    reply_to = models.CharField(_("reply to"), max_length=320, blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    subject = RedactedCharField(_("subject"), max_length=998, blank=True)
    text_body = RedactedTextField(_("text"), blank=True)
    html_body = RedactedTextField(_("HTML (sanitized)"), blank=True)
    sent_at = models.DateTimeField(_("Date header"), null=True, blank=True)
    received_at = models.DateTimeField(_("received or sent at"))
    raw_file = models.FileField(_("raw source"), max_length=300)
    raw_sha256 = models.CharField(max_length=64)  # of the bytes as received
    size = models.PositiveIntegerField(_("size in bytes"))
    defects = RedactedJSONField(_("parser notes"), default=list, blank=True)
    auto_submitted = models.BooleanField(_("automatic message"), default=False)
    change_seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "message_id"], name="email_message_id_unique"
            ),
            models.UniqueConstraint(
                fields=["client", "change_seq"], name="email_message_change_seq_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "case", "received_at"]),
            models.Index(fields=["client", "raw_sha256"], name="email_message_raw_sha256"),
        ]
        ordering = ["received_at", "id"]
        verbose_name = _("email message")

    def __str__(self) -> str:
        return f"<{self.message_id}> {self.subject}"


class EmailAttachment(ClientOwned, AppendOnly):
    message = models.ForeignKey(EmailMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    content_id = models.CharField(_("Content-ID"), max_length=998, blank=True)
    inline = models.BooleanField(_("inline"), default=False)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(_("file"), max_length=300)

    class Meta:
        ordering = ["message_id", "id"]
        verbose_name = _("email attachment")

    def __str__(self) -> str:
        return self.filename


class QuarantineReason(models.TextChoices):
    UNPARSEABLE = "unparseable", _("Cannot be parsed")
    NO_SENDER = "no_sender", _("No sender address")
    NO_CLIENT = "no_client", _("No client for the recipients")
    AMBIGUOUS_RECIPIENT = "ambiguous_recipient", _("Recipient claimed by several clients")
    STORE_FAILED = "store_failed", _("Could not be stored")


class QuarantinedEmail(models.Model):
    """Mail that reached the listener but could not become a case message: kept whole with its
    reason. Provider-level (the client may be unknown), so `client` may be empty."""

    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=24, choices=QuarantineReason.choices)
    detail = RedactedTextField(_("detail"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list)
    received_at = models.DateTimeField(_("received at"))
    raw_file = models.FileField(_("raw source"), max_length=300)
    raw_sha256 = models.CharField(max_length=64)  # of the bytes as received
    size = models.PositiveIntegerField(_("size in bytes"))
    # "<client id or ->:<reason>:<raw_sha256>": the same bytes quarantined again for the same
    # reason are the same item. Empty (NULL) on items from before it existed.
    delivery_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolution = RedactedTextField(_("resolution"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["resolved", "received_at"])]
        ordering = ["-received_at", "-id"]
        verbose_name = _("quarantined email")

    def __str__(self) -> str:
        return f"{self.reason}: {self.envelope_from} {self.received_at:%Y-%m-%d %H:%M}"

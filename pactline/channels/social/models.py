"""Social-media conversations: threads on the client's accounts and their messages.

A thread (platform, account, thread id) maps to one case at a time: its open case, or its
resolved case reopened, or a new case once the old one is closed. Inbound messages are
deduplicated on the platform's message id. Agent replies are stored as outbound messages
`pending_delivery`; the platform integration pulls them from the outbox and acknowledges them.
Each message carries `change_seq`, monotonic per client, for cursor consumers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pactline.common.crypto import RedactedEncryptedTextField
from pactline.common.fields import RedactedJSONField, RedactedTextField
from pactline.common.models import ClientOwned


class Platform(models.TextChoices):
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LINE = "line", _("LINE")
    OTHER = "other", _("Other")


class SocialThread(ClientOwned):
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    account = models.CharField(_("account"), max_length=200)
    thread_id = models.CharField(_("thread id"), max_length=200)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "cases.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_id = models.CharField(_("customer's id on the platform"), max_length=200, blank=True)
    author_name = RedactedEncryptedTextField(_("customer's name"), blank=True)
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "platform", "account", "thread_id"], name="social_thread_unique"
            )
        ]
        indexes = [models.Index(fields=["client", "case"])]
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("social thread")

    def __str__(self) -> str:
        return f"{self.platform}:{self.account} {self.thread_id}"


class Direction(models.TextChoices):
    INBOUND = "in", pgettext_lazy("message direction", "Inbound")
    OUTBOUND = "out", pgettext_lazy("message direction", "Outbound")


class Delivery(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending_delivery", _("Pending delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


class SocialMessage(ClientOwned):
    thread = models.ForeignKey(SocialThread, on_delete=models.CASCADE, related_name="messages")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    message_id = models.CharField(_("message id on the platform"), max_length=200, blank=True)
    author_kind = models.CharField(_("author"), max_length=10)  # cases.AuthorKind values
    author_id = models.CharField(max_length=200, blank=True)
    author_name = RedactedEncryptedTextField(_("author name"), blank=True)
    text = RedactedTextField(_("text"), blank=True)
    redactions = models.PositiveIntegerField(default=0)
    attachments = RedactedJSONField(_("attachments"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received or written"))
    change_seq = models.PositiveBigIntegerField()
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.RECEIVED
    )
    idempotency_key = models.CharField(max_length=200, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = RedactedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "platform", "message_id"],
                condition=~Q(message_id=""),
                name="social_message_id_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="social_message_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "change_seq"], name="social_message_change_seq_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "case", "change_seq"]),
            models.Index(fields=["client", "delivery", "change_seq"]),
        ]
        ordering = ["change_seq"]
        verbose_name = _("social message")

    def __str__(self) -> str:
        return f"{self.platform} {self.direction} {self.message_id or self.pk}"

"""Chat sessions and their messages.

A session is one conversation of one customer, opened as a case on the chat channel. It comes
from the embeddable page (`provider="web"`: the customer's browser holds a random token, of
which only a SHA-256 digest is kept) or from an external chat provider (`provider` is its name
and `external_id` its conversation id, unique per client: starting it twice changes nothing).

Messages are records, written once (`save` refuses updates), with their text already redacted
of card data. Each carries `change_seq`, monotonic per client, so consumers (metrics, billing)
read new messages in order from their own cursor."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pactline.common.crypto import RedactedEncryptedTextField
from pactline.common.fields import RedactedCharField, RedactedTextField
from pactline.common.models import AppendOnly, ClientOwned

WEB_PROVIDER = "web"


class ChatSession(ClientOwned):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="chat_sessions")
    contact = models.ForeignKey(
        "cases.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(_("chat provider"), max_length=40, default=WEB_PROVIDER)
    external_id = models.CharField(_("conversation id at the provider"), max_length=200, blank=True)
    token_digest = models.CharField(max_length=64, blank=True)
    customer_name = RedactedEncryptedTextField(_("customer name"), blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(max_length=150, blank=True)
    last_message_at = models.DateTimeField(_("last message"))
    last_author_kind = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "provider", "external_id"],
                condition=~Q(external_id=""),
                name="chat_session_external_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "token_digest"],
                condition=~Q(token_digest=""),
                name="chat_session_token_unique",
            ),
        ]
        indexes = [models.Index(fields=["client", "ended_at", "last_message_at"])]
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("chat session")

    def __str__(self) -> str:
        return f"chat #{self.pk} ({self.provider})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class ChatMessage(ClientOwned, AppendOnly):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    author_kind = models.CharField(_("author"), max_length=10)  # cases.AuthorKind values
    author_label = RedactedCharField(_("author name"), max_length=150, blank=True)
    text = RedactedTextField(_("text"))
    redactions = models.PositiveIntegerField(default=0)
    external_id = models.CharField(_("message id at the provider"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"))
    change_seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "session", "external_id"],
                condition=~Q(external_id=""),
                name="chat_message_external_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "change_seq"], name="chat_message_change_seq_unique"
            ),
        ]
        indexes = [models.Index(fields=["client", "session", "change_seq"])]
        ordering = ["change_seq"]
        verbose_name = _("chat message")

    def __str__(self) -> str:
        return f"{self.session_id}:{self.change_seq} {self.author_kind}"

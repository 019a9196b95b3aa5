"""The append-only audit log: one keyed hash chain per client, one for the provider.

Rows refer to users and clients by key, not by foreign key: the log must outlive both, and a
client's purge at termination must not cascade into the evidence of what was done."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce

from pactline.common.fields import RedactedJSONField
from pactline.common.models import AppendOnly

# The provider chain (events of no client) is keyed as client 0 in unique constraints.
_CHAIN = Coalesce("client_id", models.Value(0))


class AuditEvent(AppendOnly):
    occurred_at = models.DateTimeField(db_index=True)
    actor_label = models.CharField(max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    sequence = models.BigIntegerField()  # position in the client's chain, from 1
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    payload = RedactedJSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)  # HMAC-SHA256 under the audit key

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(_CHAIN, "sequence", name="audit_event_chain_position")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_label}"


class AuditChainHead(models.Model):
    """One chain's tip: locked while appending, so the client's writers queue (other clients'
    writers never wait for it), and compared by `verify`."""

    client_id = models.BigIntegerField(null=True, blank=True)
    sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(_CHAIN, name="audit_head_one_per_chain")]

    def __str__(self) -> str:
        return f"audit chain {self.client_id or 'provider'} at {self.sequence}"


class AuditAnchor(models.Model):
    """A chain head published in an issued document (statement, report): `verify` checks that
    the chain still holds this exact entry. A copy for convenience: the document the client
    holds is the anchor the provider cannot rewrite."""

    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    sequence = models.BigIntegerField()
    mac = models.CharField(max_length=64)
    published_in = models.CharField(max_length=200)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.client_id or 'provider'}:{self.sequence} in {self.published_in}"

"""The append-only, hash-chained audit log.

Rows refer to users and clients by key, not by foreign key: the log must outlive both, and a
client's purge at termination must not cascade into the evidence of what was done."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from pactline.common.fields import RedactedJSONField


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor_label = models.CharField(max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    payload = RedactedJSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("audit events are append-only")


class AuditHead(models.Model):
    """The chain's tip: locked while appending so writers queue, and compared by `verify` so
    that removing the newest rows is detected too."""

    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    event_count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")
        ]

    def __str__(self) -> str:
        return f"audit head at #{self.last_event_id}"

"""Reading and checking the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from pactline.audit.models import AuditEvent, AuditHead
from pactline.audit.services import GENESIS_HASH, event_hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def audit_chain_verify() -> ChainReport:
    """Walk the chain in order and report the first link that does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked, event.pk, "previous hash does not match: an earlier event was removed"
            )
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            occurred_at=event.occurred_at,
            actor_label=event.actor_label,
            actor_user_id=event.actor_user_id,
            client_id=event.client_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            payload=event.payload,
        )
        if recomputed != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash: edited")
        expected_prev = event.hash
        checked += 1
        last_id = event.pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.event_count != checked):
        return ChainReport(checked, head.last_event_id or last_id, "the newest events were removed")
    return ChainReport(checked)


def audit_event_list(*, client_ids: list[int] | None) -> QuerySet[AuditEvent]:
    """Events, newest first; `client_ids=None` means every client (provider-wide readers)."""
    events = AuditEvent.objects.order_by("-id")
    if client_ids is not None:
        events = events.filter(client_id__in=client_ids)
    return events

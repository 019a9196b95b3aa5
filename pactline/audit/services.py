"""Writing to the audit log. Call inside the service's own transaction.

Lock order (`pactline.common.sequences`): a transaction that writes a client's audit chain and
draws one of the client's change sequences takes the chain head first (`audit_chain_lock`), then
the sequence counter; `pactline.audit.sequences` draws them in that order. Both are held until
commit."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from pactline.audit.chain import GENESIS_HASH, ChainAnchor, audit_key, event_mac
from pactline.audit.models import AuditAnchor, AuditChainHead, AuditEvent
from pactline.common.fields import redact_json

__all__ = ["GENESIS_HASH", "audit_anchor_publish", "audit_chain_lock", "audit_record"]

_ACTION_CODE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


class AuditIdentity(Protocol):
    """What the log needs to know of whoever acts."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def audit_label(self) -> str: ...


def audit_chain_lock(client_id: int | None) -> AuditChainHead:
    """The chain's head row of `client_id` (None: the provider chain), created if missing and
    locked until the current transaction commits (SQLite: its IMMEDIATE transaction already
    serialises writers). Taking it again in the same transaction does not wait."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the audit chain is locked inside a transaction")
    heads = AuditChainHead.objects.select_for_update().filter(client_id=client_id)
    head = heads.first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(client_id=client_id)
        except IntegrityError:
            pass  # created by a concurrent writer; the locking read below waits for it
        head = heads.get()
    return head


def audit_record(
    *,
    actor: AuditIdentity,
    action: str,
    client_id: int | None = None,
    obj: object | None = None,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the client's chain (no client: the provider chain)."""
    if not _ACTION_CODE.match(action):
        raise ValueError(f"audit action code {action!r} is not a dotted lower-case code")
    occurred_at = at or timezone.now()
    # Hashed as stored: the payload field redacts card data, so the chain covers the redacted form.
    data = redact_json(json.loads(json.dumps(payload or {}, default=str)))
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = str(getattr(obj, "pk", "") or "") if obj is not None else ""
    with transaction.atomic():
        head = audit_chain_lock(client_id)
        sequence = head.sequence + 1
        digest = event_mac(
            audit_key(),
            client_id=client_id,
            sequence=sequence,
            prev_hash=head.last_hash,
            occurred_at=occurred_at,
            actor_label=actor.audit_label,
            actor_user_id=actor.user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload=data,
        )
        event = AuditEvent.objects.create(
            occurred_at=occurred_at,
            actor_label=actor.audit_label,
            actor_user_id=actor.user_id,
            client_id=client_id,
            sequence=sequence,
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload=data,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=head.pk).update(
            sequence=sequence, last_hash=digest, last_event_id=event.pk
        )
    return event


def audit_anchor_publish(
    *, anchor: ChainAnchor, published_in: str, now: datetime | None = None
) -> ChainAnchor:
    """Keep `anchor` (a chain head, `audit_chain_head`, read before the document was written)
    as published in a document being issued, so that `verify` checks it too. Call in the
    transaction that stores the document."""
    AuditAnchor.objects.create(
        client_id=anchor.client_id,
        sequence=anchor.sequence,
        mac=anchor.mac,
        published_in=published_in[:200],
        published_at=now or timezone.now(),
    )
    return anchor

"""Writing to the audit log. Call inside the service's own transaction."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from pactline.audit.models import AuditEvent, AuditHead
from pactline.common.fields import redact_json

GENESIS_HASH = "0" * 64
_ACTION_CODE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


class AuditIdentity(Protocol):
    """What the log needs to know of whoever acts."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def audit_label(self) -> str: ...


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor_label: str,
    actor_user_id: int | None,
    client_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    payload: Any,
) -> str:
    material = json.dumps(
        [
            prev_hash,
            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_label,
            actor_user_id,
            client_id,
            action,
            object_type,
            object_id,
            payload,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _locked_head() -> AuditHead:
    try:
        with transaction.atomic():
            head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    except IntegrityError:
        head = AuditHead.objects.select_for_update().get(pk=1)
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
    """Append one event, chained to the previous one."""
    if not _ACTION_CODE.match(action):
        raise ValueError(f"audit action code {action!r} is not a dotted lower-case code")
    occurred_at = at or timezone.now()
    # Hashed as stored: the payload field redacts card data, so the chain covers the redacted form.
    data = redact_json(json.loads(json.dumps(payload or {}, default=str)))
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = str(getattr(obj, "pk", "") or "") if obj is not None else ""
    with transaction.atomic():
        head = _locked_head()
        digest = event_hash(
            prev_hash=head.last_hash,
            occurred_at=occurred_at,
            actor_label=actor.audit_label,
            actor_user_id=actor.user_id,
            client_id=client_id,
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
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload=data,
            prev_hash=head.last_hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(
            last_event_id=event.pk, last_hash=digest, event_count=head.event_count + 1
        )
    return event

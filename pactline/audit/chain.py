"""The keyed hash chain: how one event's MAC is computed, and the anchor that names a chain's
entry (printed on statements and reports, given back to `pactline audit verify`).

Each client has its own chain; events of no client (provider-wide events, failed sign-ins) form
the provider chain. An event's MAC is an HMAC-SHA256 under `PACTLINE_AUDIT_KEY` over its
chain, its position, the previous MAC and its content: without the key, a row edited in the
database cannot be given a matching MAC, and the chain cannot be recomputed after it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

GENESIS_HASH = "0" * 64
_DOMAIN = "pactline-audit-v2"
_ANCHOR = re.compile(r"^(?P<chain>provider|\d+):(?P<sequence>\d+):(?P<mac>[0-9a-f]{16,64})$")


def audit_key() -> bytes:
    return str(settings.PACTLINE_AUDIT_KEY).encode("utf-8")


def event_mac(
    key: bytes,
    *,
    client_id: int | None,
    sequence: int,
    prev_hash: str,
    occurred_at: datetime,
    actor_label: str,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    payload: Any,
) -> str:
    material = json.dumps(
        [
            _DOMAIN,
            client_id,
            sequence,
            prev_hash,
            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_label,
            actor_user_id,
            action,
            object_type,
            object_id,
            payload,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, material.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainAnchor:
    """One entry of one chain: `sequence` events long, ending in `mac` (the genesis hash for
    an empty chain). Written `CLIENT:SEQUENCE:MAC`, `provider:…` for the provider chain; a
    MAC given back may be shortened to its first 16 hex digits."""

    client_id: int | None
    sequence: int
    mac: str

    def __str__(self) -> str:
        chain = "provider" if self.client_id is None else str(self.client_id)
        return f"{chain}:{self.sequence}:{self.mac}"

    def matches(self, mac: str) -> bool:
        return hmac.compare_digest(mac[: len(self.mac)], self.mac)

    @classmethod
    def parse(cls, text: str) -> ChainAnchor:
        found = _ANCHOR.match(text.strip().lower())
        if found is None:
            raise ValueError(
                f"{text!r} is not an anchor: write CLIENT:SEQUENCE:MAC "
                "(client id or 'provider', at least 16 hex digits of the MAC)"
            )
        chain = found["chain"]
        return cls(
            client_id=None if chain == "provider" else int(chain),
            sequence=int(found["sequence"]),
            mac=found["mac"],
        )

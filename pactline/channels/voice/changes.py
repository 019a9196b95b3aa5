"""The client's change sequence for voice facts (calls and agent states), read by cursor
consumers: see `pactline.common.sequences` for why numbers become visible in order."""

from __future__ import annotations

from pactline.audit.services import audit_chain_lock
from pactline.channels.voice.models import ChangeCounter
from pactline.common import sequences

STREAM = "voice"


class ChangeSequence(sequences.ChangeSequence):
    """The client's voice counter, locked until the current transaction commits, after the
    client's audit chain head (the lock order of docs/architecture.md)."""

    def __init__(self, client_id: int) -> None:
        audit_chain_lock(client_id)
        super().__init__(ChangeCounter, client_id, STREAM)

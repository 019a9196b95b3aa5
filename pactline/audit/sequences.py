"""Drawing a client's change sequence in the lock order of `pactline.common.sequences`: the
client's audit chain head first, then the counter. The only entry point for writers: the
common module, below the audit log, cannot take the head itself."""

from __future__ import annotations

from pactline.audit.services import audit_chain_lock
from pactline.common.sequences import ChangeSequence, Stream

__all__ = ["ChangeSequence", "Stream", "change_sequence", "next_change_seq"]


def change_sequence(client_id: int, stream: Stream) -> ChangeSequence:
    """The client's counter for `stream`, locked until commit, after the client's audit chain
    head. Holding it also serialises the client's writers of that stream (idempotency checks)."""
    audit_chain_lock(client_id)
    return ChangeSequence(client_id, stream)


def next_change_seq(client_id: int, stream: Stream, count: int = 1) -> int:
    """Draw `count` numbers of the client's `stream`; returns the first."""
    return change_sequence(client_id, stream).take(count)

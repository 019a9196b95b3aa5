"""The client's change sequences for cases and survey responses, drawn in the lock order of
docs/architecture.md: the client's audit chain head first, then the counter. A service that
draws a sequence and writes the audit log (in either order) then never waits for a lock held
by a transaction that waits for one of its own."""

from __future__ import annotations

from pactline.audit.services import audit_chain_lock
from pactline.cases.models import ChangeCounter
from pactline.common.sequences import ChangeSequence


def change_sequence(client_id: int, stream: str) -> ChangeSequence:
    """The client's counter for `stream`, locked until commit, after the client's audit chain."""
    audit_chain_lock(client_id)
    return ChangeSequence(ChangeCounter, client_id, stream)

"""Heads are read first and events up to them: an event appended after the heads were read
is left for the next run, not reported."""

from __future__ import annotations

import pytest

from pactline.audit import selectors
from pactline.audit.selectors import audit_chain_verify
from pactline.audit.services import audit_record
from pactline.audit.tests.test_chain import system_actor

pytestmark = pytest.mark.django_db


def test_events_appended_after_the_heads_were_read_are_left_for_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for client_id in (7, 8, None):
        audit_record(actor=system_actor(), action="case.opened", client_id=client_id)
    read_heads = selectors._chain_heads

    def heads_then_writes() -> dict[int | None, selectors.AuditChainHead]:
        heads = read_heads()
        for client_id in (7, 9, None):  # a new chain too
            audit_record(actor=system_actor(), action="case.updated", client_id=client_id)
        return heads

    monkeypatch.setattr(selectors, "_chain_heads", heads_then_writes)
    report = audit_chain_verify()
    assert report.intact, report.reason
    assert report.checked == 3
    monkeypatch.undo()
    assert audit_chain_verify().checked == 6

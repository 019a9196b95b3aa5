"""`audit verify` reads one moment of the log: in a snapshot (PostgreSQL: repeatable read;
SQLite: one read transaction), and in an order (anchors, chains, heads, events up to each head)
under which what is written between its reads is left for the next run, never reported."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from pactline.audit import selectors
from pactline.audit.chain import ChainAnchor
from pactline.audit.selectors import audit_chain_head, audit_chain_verify
from pactline.audit.services import audit_anchor_publish, audit_record
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


def _issue_a_document(client_id: int) -> None:
    """What issuing a statement writes: an anchor at the head, then the issue event."""
    audit_anchor_publish(anchor=audit_chain_head(client_id), published_in="statement")
    audit_record(actor=system_actor(), action="statement.issued", client_id=client_id)


def test_a_document_issued_while_verify_reads_is_no_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        audit_record(actor=system_actor(), action="case.opened", client_id=7)
    read_anchors = selectors._published_anchors

    def anchors_then_an_issue() -> list[ChainAnchor]:
        anchors = read_anchors()
        _issue_a_document(7)
        return anchors

    monkeypatch.setattr(selectors, "_published_anchors", anchors_then_an_issue)
    report = audit_chain_verify()
    assert report.intact, report.reason
    monkeypatch.undo()
    assert audit_chain_verify().anchors == 1


@pytest.mark.django_db(transaction=True)
def test_verify_sees_one_moment_while_another_connection_writes_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a second connection writing during verify is tested on PostgreSQL")
    for client_id in (7, None):
        audit_record(actor=system_actor(), action="case.opened", client_id=client_id)
    read_anchors = selectors._published_anchors

    def anchors_then_a_concurrent_issue() -> list[ChainAnchor]:
        anchors = read_anchors()  # the snapshot's first read: its moment

        def issue() -> None:
            try:
                with transaction.atomic():
                    _issue_a_document(7)
                    audit_record(actor=system_actor(), action="case.opened", client_id=None)
            finally:
                connections.close_all()

        writer = threading.Thread(target=issue)
        writer.start()
        writer.join(timeout=20)
        return anchors

    monkeypatch.setattr(selectors, "_published_anchors", anchors_then_a_concurrent_issue)
    report = audit_chain_verify()
    assert report.intact, report.reason
    assert (report.checked, report.anchors) == (2, 0)  # the log as it was when verify began
    monkeypatch.undo()
    after = audit_chain_verify()
    assert (after.intact, after.checked, after.anchors) == (True, 4, 1)

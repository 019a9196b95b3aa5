"""`audit verify` while the application writes: an event appended between verify's reads is
not mistaken for removed newest events."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from pactline.audit.selectors import audit_chain_verify
from pactline.audit.services import audit_record
from pactline.audit.tests.test_chain import system_actor

pytestmark = pytest.mark.django_db


def _append(client_id: int | None) -> None:
    audit_record(actor=system_actor("writer"), action="case.opened", client_id=client_id)


@pytest.mark.parametrize("client_id", [7, None])
def test_an_event_written_while_verify_reads_is_no_alarm(client_id: int | None) -> None:
    for _ in range(3):
        _append(client_id)
    writing = False
    written: list[str] = []

    def append_before_the_head_is_read(
        execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        nonlocal writing
        reads_head = sql.lstrip().upper().startswith("SELECT") and "head" in sql.lower()
        if reads_head and not writing and not written:
            writing = True
            try:
                _append(client_id)  # another request commits an event right now
                written.append(sql)
            finally:
                writing = False
        return execute(sql, params, many, context)

    with connection.execute_wrapper(append_before_the_head_is_read):
        report = audit_chain_verify()
    assert written
    assert report.intact, report.reason
    assert report.checked in (3, 4)
    assert audit_chain_verify().checked == 4

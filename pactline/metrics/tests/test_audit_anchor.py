"""Every issued statement carries the client's audit chain head (the anchor the
client holds), shown on its page and in its files, given by the API, and checked by
`pactline audit verify` (reports: `pactline/reports/tests/test_audit_anchor.py`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient

from conftest import make_user
from pactline.audit.chain import ChainAnchor
from pactline.audit.models import AuditAnchor, AuditChainHead, AuditEvent
from pactline.audit.selectors import REMOVED_NEWEST, audit_chain_head
from pactline.cases.tests.fixtures import northwind
from pactline.metrics.consumer import consume_all
from pactline.metrics.statements import statement_issue
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.tenancy.models import Client, Role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def _admin() -> HttpClient:
    http = HttpClient()
    http.force_login(make_user("admin", (Role.PROVIDER_ADMIN, None)))
    return http


def _client_with_calls(tmp_path: Path) -> Client:
    client = northwind()
    calls = [CallSpec("a1", datetime(2026, 3, 5, 15, tzinfo=UTC), "answered", 5, talk=60)]
    import_calls(client, calls, tmp_path)
    consume_all()
    return client


def test_a_statement_carries_the_clients_chain_head(tmp_path: Path) -> None:
    client = _client_with_calls(tmp_path)
    head = audit_chain_head(client.id)
    assert head.sequence > 0  # the agreement's and the import's events
    statement, created = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 1), now=NOW)
    assert created
    assert (statement.audit_sequence, statement.audit_mac) == (head.sequence, head.mac)
    assert statement.audit_anchor == f"{client.id}:{head.sequence}:{head.mac}" == str(head)
    issued = AuditEvent.objects.get(action="statement.issued", client_id=client.id)
    assert (issued.sequence, issued.prev_hash) == (head.sequence + 1, head.mac)
    published = AuditAnchor.objects.get(client_id=client.id)
    assert (published.sequence, published.mac) == (head.sequence, head.mac)
    assert published.published_in == "statement monthly 2026-03-01 r1"
    # The same period again is the issued statement, as it is: no second anchor.
    statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 9), now=NOW)
    assert AuditAnchor.objects.count() == 1

    http = _admin()
    page = http.get(f"/statements/{statement.pk}/").content.decode()
    assert "Audit anchor" in page and str(head) in page
    api = http.get(f"/api/v1/statements/{statement.pk}").json()
    assert api["audit_anchor"] == str(head)
    listed = http.get("/api/v1/statements", {"client": client.code}).json()
    assert [row["audit_anchor"] for row in listed] == [str(head)]


def test_the_anchor_on_a_statement_catches_a_truncated_log(tmp_path: Path) -> None:
    client = _client_with_calls(tmp_path)
    statement, _ = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 1), now=NOW)
    printed = statement.audit_anchor
    call_command("audit", "verify", "--anchor", printed)
    # An intruder removes the newest events (the statement's among them) and rolls the head
    # back to before the anchor, and deletes the stored copy of the anchor.
    sequence = statement.audit_sequence
    assert sequence is not None and sequence > 1
    cut = AuditEvent.objects.get(client_id=client.id, sequence=sequence - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE client_id = %s AND sequence >= %s",
            [client.id, sequence],
        )
    AuditChainHead.objects.filter(client_id=client.id).update(
        sequence=cut.sequence, last_hash=cut.hash, last_event_id=cut.pk
    )
    AuditAnchor.objects.all().delete()
    call_command("audit", "verify")  # nothing left in the database shows it
    with pytest.raises(CommandError, match=REMOVED_NEWEST):
        call_command("audit", "verify", "--anchor", printed)
    assert ChainAnchor.parse(printed).client_id == client.id

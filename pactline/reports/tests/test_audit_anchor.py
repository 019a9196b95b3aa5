"""A generated report carries the client's audit chain head (the anchor the client holds),
shown on its page and in each of its files, given by the API, and checked by
`pactline audit verify`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from pactline.audit.models import AuditAnchor, AuditEvent
from pactline.audit.selectors import audit_chain_head
from pactline.cases.tests.fixtures import northwind
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import SYSTEM, import_calls
from pactline.metrics.tests.test_audit_anchor import _admin
from pactline.metrics.tests.test_rollups import VECTOR
from pactline.reports.services import report_generate
from pactline.reports.tests.test_data import DAILY
from pactline.reports.tests.test_render import pdf_text

pytestmark = pytest.mark.django_db


def test_a_report_carries_the_clients_chain_head_in_every_format(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    head = audit_chain_head(client.id)
    report = report_generate(
        actor=SYSTEM,
        client=client,
        report_name=DAILY,
        period_start=date(2026, 3, 2),
        now=datetime(2026, 3, 3, 6, tzinfo=UTC),
    ).report
    assert report.audit_anchor == str(head)
    generated = AuditEvent.objects.get(action="report.generated", client_id=client.id)
    assert generated.sequence == head.sequence + 1
    published = AuditAnchor.objects.get(client_id=client.id)
    assert published.published_in == f"report {DAILY} 2026-03-02 v1"

    http = _admin()
    page = http.get(f"/reports/{report.pk}/").content.decode()
    assert "Audit anchor" in page and str(head) in page
    stored = {f.format: f.file.read() for f in report.files.all()}
    assert str(head) in stored["html"].decode()
    rows = list(csv.reader(io.StringIO(stored["csv"].decode("utf-8-sig"))))
    assert ["Audit anchor", str(head)] in rows
    pdf = "".join(pdf_text(stored["pdf"]).split())  # wrapped across lines
    assert f"Auditanchor{head}" in pdf
    api = http.get(f"/api/v1/reports/{report.pk}").json()
    assert api["audit_anchor"] == str(head)
    call_command("audit", "verify", "--anchor", str(head))

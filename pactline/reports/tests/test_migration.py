"""Moving the generated reports from metrics to reports keeps their rows: the tables are
renamed, the file rows still point to their report, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from pactline.agreements.models import AgreementVersion
from pactline.cases.tests.fixtures import northwind
from pactline.reports.models import GeneratedReport, GeneratedReportFile

BEFORE = [("metrics", "0011_statement_superseded_per_client"), ("reports", None)]
AFTER = [("metrics", "0012_reports_moved"), ("reports", "0002_table_names")]


@pytest.mark.django_db(transaction=True)
def test_the_rows_move_with_the_models() -> None:
    client = northwind()
    version = AgreementVersion.objects.get(client=client)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    report = old.get_model("metrics", "GeneratedReport").objects.create(
        client_id=client.id,
        report_name="Monthly service review",
        frequency="monthly",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        language="en",
        agreement_version_id=version.id,
        content={"schema_version": 1, "b": 2, "a": 1},
        content_hash="h",
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
        created_by="reports",
    )
    old.get_model("metrics", "GeneratedReportFile").objects.create(
        client_id=client.id, report_id=report.pk, format="pdf", file="reports/x.pdf", size=1
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    tables = connection.introspection.table_names()
    assert "reports_generatedreport" in tables and "metrics_generatedreport" not in tables
    moved = GeneratedReport.objects.get(pk=report.pk)
    assert list(moved.content) == ["schema_version", "b", "a"]  # order kept
    assert [f.format for f in moved.files.all()] == ["pdf"]
    with pytest.raises(IntegrityError):  # the foreign key still holds
        GeneratedReportFile.objects.create(
            client_id=client.id, report_id=report.pk + 1000, format="csv", file="f", size=1
        )

"""Reports stored under content schema 1 (a field per section) stay readable and verifiable:
their content is converted on read (`content_upgrade`, a pure function), renders exactly as it
did when generated, and their stored hash still verifies. New content is schema 2, hashed as
such.

`data/v1_content.json` is the content of Northwind's monthly review of March 2026 with every
section, generated and stored by the schema-1 code; `data/v1_report.csv` and
`data/v1_report.html` are what that code rendered from it, and `data/v1_content.sha256` the
hash it stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import translation

from conftest import make_user
from pactline.agreements.models import AgreementVersion
from pactline.cases.tests.fixtures import northwind
from pactline.reports.content import CONTENT_SCHEMA, ReportContent, content_upgrade, stored_digest
from pactline.reports.models import GeneratedReport
from pactline.reports.presentation import report_view
from pactline.reports.renderers import render_csv, render_html
from pactline.reports.selectors import report_content, report_content_verifies
from pactline.reports.services import report_generate
from pactline.reports.tests.test_data import DAILY
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Role

DATA = Path(__file__).parent / "data"


def _v1() -> dict[str, Any]:
    stored: dict[str, Any] = json.loads((DATA / "v1_content.json").read_text())
    return stored


def test_v1_content_is_converted_by_a_pure_function() -> None:
    kpi = {"value": None, "numerator": "0", "denominator": "0", "unit": "percent"}
    kpi |= {"definition": "d", "params": {}}
    stored = {
        "schema_version": 1,
        "client_code": "c",
        "contents": ["volume", "fcr", "nps"],
        "volume": None,
        "fcr": [{"channel": "phone", "fcr": kpi}],
        "nps": [],
        "backlog": None,
        "unavailable": [],
    }
    before = json.dumps(stored)
    upgraded = content_upgrade(stored)
    assert json.dumps(stored) == before  # the stored content is left as it was
    assert upgraded == {
        "schema_version": 2,
        "client_code": "c",
        "contents": ["volume", "fcr", "nps"],
        "sections": {"fcr": {"rows": [{"channel": "phone", "fcr": kpi}]}, "nps": {"rows": []}},
        "unavailable": [],
    }
    assert content_upgrade(upgraded) is upgraded  # the current schema passes unchanged


def test_a_v1_report_renders_exactly_as_it_did_and_its_hash_verifies() -> None:
    stored = _v1()
    assert stored["schema_version"] == 1 and CONTENT_SCHEMA == 2
    assert stored_digest(stored) == (DATA / "v1_content.sha256").read_text().strip()
    content = ReportContent.model_validate(content_upgrade(stored))
    assert content.schema_version == 2
    assert list(content.sections) == [
        "volume",
        "response_times",
        "resolution_rate",
        "service_levels",
        "abandon_rate",
        "aht",
        "fcr",
        "csat",
        "nps",
        "escalations",
        "common_issues",
        "backlog",
    ]
    with translation.override("en"):
        view = report_view(
            content,
            generated_at=datetime(2026, 4, 1, 6, tzinfo=UTC),
            base_url="https://pactline.example",
            with_charts=False,
            audit_anchor="1:42:" + "ab" * 32,
        )
        assert render_csv(view) == (DATA / "v1_report.csv").read_bytes()
        assert render_html(view).decode() == (DATA / "v1_report.html").read_text()


@pytest.mark.django_db
def test_a_stored_v1_report_is_shown_and_verified() -> None:
    client = northwind()
    stored = _v1()
    report = GeneratedReport.objects.create(
        client=client,
        report_name=stored["report_name"],
        frequency="monthly",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        language="en",
        agreement_version=AgreementVersion.objects.get(client=client),
        content=stored,
        content_hash=(DATA / "v1_content.sha256").read_text().strip(),
        created_at=datetime(2026, 4, 1, 6, tzinfo=UTC),
        created_by="reports",
    )
    report.refresh_from_db()
    assert report.content == stored  # kept as stored, in its order
    assert report_content_verifies(report)
    assert (
        report_content(report).sections["volume"].total.offered
        == (stored["volume"]["total"]["offered"])
    )
    http = HttpClient()
    http.force_login(make_user("admin", (Role.PROVIDER_ADMIN, None)))
    page = http.get(f"/reports/{report.pk}/").content.decode()
    assert "Volume by channel" in page and 'id="section-backlog"' in page
    tampered = stored | {"client_name": "Someone else"}
    GeneratedReport.objects.filter(pk=report.pk).update(content=tampered)
    report.refresh_from_db()
    assert not report_content_verifies(report)


@pytest.mark.django_db
def test_new_content_is_schema_2_and_hashed_as_such() -> None:
    client = northwind()
    report = report_generate(
        actor=system_actor("test"),
        client=client,
        report_name=DAILY,
        period_start=date(2026, 3, 2),
        now=datetime(2026, 3, 3, 6, tzinfo=UTC),
    ).report
    report.refresh_from_db()
    assert report.content["schema_version"] == 2 and "sections" in report.content
    assert "volume" not in report.content
    assert report.content_hash == report_content(report).digest()
    assert report_content_verifies(report)

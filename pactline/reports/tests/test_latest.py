"""The portal dashboard's "latest reports" card: the reports app's fragment, which the
dashboard (a metrics page) loads by htmx."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine

from pactline.agreements.models import AgreementVersion
from pactline.metrics.tests.test_dashboard_support import (  # noqa: F401 - fixture
    NOW,
    Http,
    loaded_fixture,
)
from pactline.reports.models import GeneratedReport

pytestmark = pytest.mark.django_db


def test_the_latest_generated_reports_are_linked(loaded: Http) -> None:
    version = AgreementVersion.objects.get(client=loaded.world.client_a)
    made = {}
    for number, name, first in (
        (1, "Monthly service report", date(2026, 2, 1)),
        (2, "Monthly service report", date(2026, 2, 1)),  # a newer version of the same
        (1, "Weekly volume report", date(2026, 3, 2)),
    ):
        made[(name, number)] = GeneratedReport.objects.create(
            client=loaded.world.client_a,
            report_name=name,
            frequency="monthly" if name.startswith("Monthly") else "weekly",
            period_start=first,
            period_end=first + timedelta(days=6),
            language="en",
            version=number,
            agreement_version=version,
            content={},
            content_hash=f"{name}{number}",
            created_at=NOW,
            created_by="test",
        )
    viewer = loaded.as_("client_a_viewer")
    with time_machine.travel(NOW, tick=False):
        page = viewer.get("/clients/client-a/dashboard/").content.decode()
        html = viewer.get("/clients/client-a/reports/latest/").content.decode()
        other = loaded.as_("client_b_manager").get("/clients/client-b/reports/latest/")
    assert 'hx-get="/clients/client-a/reports/latest/"' in page
    reports = html.split('id="latest-reports"')[1].split("</section>")[0]
    links = re.findall(r'<a href="/reports/(\d+)/">([^<]+)</a>', reports)
    assert links == [
        (str(made[("Weekly volume report", 1)].pk), "Weekly volume report"),
        (str(made[("Monthly service report", 2)].pk), "Monthly service report"),
    ]
    assert "version 2" in reports
    assert 'href="/clients/client-a/reports/"' in reports
    assert other.status_code == 200
    assert "Monthly service report" not in other.content.decode()
    assert (
        loaded.as_("client_b_manager").get("/clients/client-a/reports/latest/").status_code == 404
    )

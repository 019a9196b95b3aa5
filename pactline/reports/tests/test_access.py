"""Who sees which report: pages, downloads and the API, as a matrix (anonymous, another
client, the client's own users, the provider); denied requests change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from conftest import clear_agent, make_user
from pactline.cases.tests.fixtures import load_example, northwind
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import SYSTEM, import_calls
from pactline.metrics.tests.test_rollups import VECTOR
from pactline.reports.models import GeneratedReport
from pactline.reports.services import report_generate
from pactline.reports.tests.test_data import DAILY
from pactline.tenancy.models import Role

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Setup:
    report: GeneratedReport
    code: str
    users: dict[str, User]


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    client = northwind()
    other = load_example("customer-service-zh").client
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    report = report_generate(
        actor=SYSTEM,
        client=client,
        report_name=DAILY,
        period_start=date(2026, 3, 2),
        now=datetime(2026, 3, 3, 6, tzinfo=UTC),
    ).report
    users = {
        "viewer": make_user("nw-viewer", (Role.CLIENT_VIEWER, client)),
        "manager": make_user("nw-manager", (Role.CLIENT_MANAGER, client)),
        "agent": clear_agent(make_user("nw-agent", (Role.AGENT, client)), client),
        "other": make_user("hx-manager", (Role.CLIENT_MANAGER, other)),
        "admin": make_user("admin", (Role.PROVIDER_ADMIN, None)),
    }
    return Setup(report, client.code, users)


def _http(setup: Setup, who: str | None) -> HttpClient:
    http = HttpClient()
    if who is not None:
        http.force_login(setup.users[who])
    return http


@pytest.mark.parametrize("who", ["viewer", "manager", "agent", "admin"])
def test_the_clients_users_and_the_provider_read_the_report(setup: Setup, who: str) -> None:
    http = _http(setup, who)
    listing = http.get(f"/clients/{setup.code}/reports/")
    assert listing.status_code == 200
    assert DAILY in listing.content.decode()
    page = http.get(f"/reports/{setup.report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Volume by channel" in html and "data:image/svg+xml;base64," in html
    assert f"/reports/{setup.report.pk}/download.csv" in html
    generated = setup.report.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    assert f"Version 1, generated {generated} UTC." in html  # one full stop, not "a.m.."
    pdf = http.get(f"/reports/{setup.report.pk}/download.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    csv = http.get(f"/reports/{setup.report.pk}/download.csv")
    assert csv.content.decode("utf-8-sig").startswith("Daily operations summary")
    assert http.get(f"/reports/{setup.report.pk}/download.exe").status_code == 404
    api = http.get("/api/v1/reports", {"client": setup.code})
    assert [row["id"] for row in api.json()] == [setup.report.pk]
    detail = http.get(f"/api/v1/reports/{setup.report.pk}").json()
    assert detail["content"]["sections"]["volume"]["total"]["offered"] == 12
    assert (detail["emailed_at"], detail["settled_at"]) == (None, None)
    assert {f["format"] for f in detail["files"]} == {"html", "pdf", "csv", "xlsx"}
    xlsx = http.get(f"/api/v1/reports/{setup.report.pk}/download/xlsx")
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")  # type: ignore[arg-type]


def test_another_clients_user_gets_not_found(setup: Setup) -> None:
    http = _http(setup, "other")
    assert http.get(f"/clients/{setup.code}/reports/").status_code == 404
    assert http.get(f"/reports/{setup.report.pk}/").status_code == 404
    assert http.get(f"/reports/{setup.report.pk}/download.pdf").status_code == 404
    assert http.get(f"/api/v1/reports/{setup.report.pk}").status_code == 404
    assert http.get(f"/api/v1/reports/{setup.report.pk}/download/pdf").status_code == 404
    assert http.get("/api/v1/reports", {"client": setup.code}).status_code == 404
    assert http.get("/api/v1/reports").json() == []  # none of its own yet, none of Northwind's
    assert http.get("/reports/").status_code == 302  # straight to its own client's list


def test_anonymous_is_sent_to_sign_in(setup: Setup) -> None:
    http = _http(setup, None)
    for path in (
        f"/clients/{setup.code}/reports/",
        f"/reports/{setup.report.pk}/",
        f"/reports/{setup.report.pk}/download.pdf",
        "/reports/",
    ):
        response = http.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert http.get("/api/v1/reports").status_code == 401


def test_only_the_provider_generates(setup: Setup) -> None:
    form = {"report_name": DAILY, "period_start": "2026-03-01"}
    for who, status in (("viewer", 403), ("manager", 403), ("agent", 403), ("other", 404)):
        http = _http(setup, who)
        assert http.post(f"/clients/{setup.code}/reports/generate/", form).status_code == status
        body = {"client": setup.code, "report_name": DAILY, "period_start": "2026-03-01"}
        api = http.post("/api/v1/reports", body, content_type="application/json")
        assert api.status_code == status
    assert GeneratedReport.objects.count() == 1  # denied requests changed nothing

    admin = _http(setup, "admin")
    listing = admin.get(f"/clients/{setup.code}/reports/").content.decode()
    assert "Generate a report" in listing
    done = admin.post(f"/clients/{setup.code}/reports/generate/", form)
    assert done.status_code == 302
    made = GeneratedReport.objects.get(period_start=date(2026, 3, 1))
    assert done["Location"] == f"/reports/{made.pk}/"
    again = admin.post(
        "/api/v1/reports",
        {"client": setup.code, "report_name": DAILY, "period_start": "2026-03-01"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["created"] is False
    bad = admin.post(
        f"/clients/{setup.code}/reports/generate/",
        {"report_name": DAILY, "period_start": "2999-01-01"},
    )
    assert bad.status_code == 422


def test_the_navigation_leads_to_reports(setup: Setup) -> None:
    viewer = _http(setup, "viewer").get("/").content.decode()
    assert f'href="/clients/{setup.code}/reports/"' in viewer
    admin = _http(setup, "admin").get("/").content.decode()
    assert 'href="/reports/"' in admin


def test_unstorable_text_is_refused_by_field(setup: Setup) -> None:
    """A lone surrogate (JSON `"\\ud800"`) or NUL: a 422 naming the field, on the API and the
    page alike; nothing is generated."""
    admin = _http(setup, "admin")
    for name in ('"\\ud800"', '"a\\u0000"'):
        body = '{"client": "%s", "report_name": %s, "period_start": "2026-03-01"}'
        api = admin.post(
            "/api/v1/reports", body.replace("%s", setup.code, 1).replace("%s", name),
            content_type="application/json",
        )  # fmt: skip
        assert api.status_code == 422, api.content
        assert [error["path"] for error in api.json()["errors"]] == ["report_name"]
    for raw in (b"report_name=%ED%A0%80&period_start=2026-03-01", b"report_name=a%00&period_start=2026-03-01"):  # fmt: skip
        page = admin.post(
            f"/clients/{setup.code}/reports/generate/",
            raw,
            content_type="application/x-www-form-urlencoded",
        )
        assert page.status_code == 422
        assert (
            'class="field-error"' in page.content.decode() or "errorlist" in page.content.decode()
        )
    assert GeneratedReport.objects.count() == 1

"""The client dashboard page: who may see it, the figures it shows, its htmx refresh, and the
client users' start page that embeds it."""

from __future__ import annotations

import re

import pytest
import time_machine

from conftest import PERSONAS, PROVIDER_READERS
from pactline.metrics.tests.test_dashboard_support import (  # noqa: F401 - fixture
    NOW,
    Http,
    loaded_fixture,
)

pytestmark = pytest.mark.django_db

SEES_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | PROVIDER_READERS


def _row(html: str, level: str) -> str:
    match = re.search(rf'<tr data-level="{re.escape(level)}">(.*?)</tr>', html, re.S)
    assert match, level
    return re.sub(r"\s+", " ", match.group(1))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "path", ["/clients/client-a/dashboard/", "/clients/client-a/dashboard/today/"]
)
def test_dashboard_matrix(loaded: Http, persona: str, path: str) -> None:
    with time_machine.travel(NOW, tick=False):
        response = loaded.as_(persona).get(path)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == (200 if persona in SEES_A else 404)
    if response.status_code != 200:
        assert "Client A" not in response.content.decode()


def test_dashboard_shows_today_and_month_against_the_targets(loaded: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        response = loaded.as_("client_a_viewer").get("/clients/client-a/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "America/New_York (EDT)" in html
    assert "Today, 2026-03-10" in html
    assert "This month to date, 2026-03-01 to 2026-03-10" in html
    today = _row(html, "phone.answer_within")
    for text in ("≥ 80%", "60%", "3 / 5", "6 / 100", "below the minimum", "Not measured"):
        assert text in today, text
    assert "Calls answered within 20 s as a share of calls answered or abandoned" in today
    assert '<meter min="0" max="100" value="60"' in today
    abandon = _row(html, "phone.abandon_rate")
    assert "≤ 5%" in abandon and "20%" in abandon and "Missed" in abandon
    assert '<tr data-channel="phone"><td>Phone</td><td class="num">6</td>' in html
    assert "10:00 EDT" in html
    assert "Issue a statement" not in html  # a viewer does not issue
    # htmx refresh of today's section, every minute
    assert (
        'hx-get="/clients/client-a/dashboard/today/"' in html and 'hx-trigger="every 60s"' in html
    )


def test_todays_section_alone_for_htmx(loaded: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        response = loaded.as_("client_a_manager").get(
            "/clients/client-a/dashboard/today/", HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="today-client-a"')
    assert "<html" not in html and "This month to date" not in html
    assert "60%" in _row(html, "phone.answer_within")


def test_provider_admin_sees_the_issue_button(loaded: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        html = loaded.as_("provider_admin").get("/clients/client-a/dashboard/").content.decode()
    assert 'href="/clients/client-a/statements/issue/"' in html

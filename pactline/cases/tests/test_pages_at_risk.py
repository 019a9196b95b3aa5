"""Clocks at risk: the selector's window and scope, the supervisor page and its htmx partial.

Client A's case is due 22:00 UTC on Monday 2 March 2026 (17:00 EST); client B's at 02:00 UTC
(10:00 in Shanghai)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactline.cases.clocks import clocks_fire_due
from pactline.cases.models import Case
from pactline.cases.selectors import clocks_at_risk
from pactline.cases.services import case_resolve, case_set_status
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    SYSTEM,
    Cases,
    as_persona,
    cases_fixture,
    open_a,
    text_of,
    utc,
)
from pactline.tenancy.access import actor_for_token, system_actor
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create


def _at_risk(
    cases: Cases, persona: str, hours: float, now_hour: int, minute: int = 0
) -> list[Case]:
    """The cases whose first-response clock is at risk (resolution clocks, counted in business
    days, fall outside these windows or are checked elsewhere)."""
    actor = getattr(cases.world, persona).actor
    clocks = clocks_at_risk(actor=actor, within=timedelta(hours=hours), now=utc(now_hour, minute))
    return [clock.case for clock in clocks if clock.metric == "first_response"]


def test_the_window_takes_running_clocks_due_up_to_its_end(cases: Cases) -> None:
    assert _at_risk(cases, "client_a_agent", 7, 14) == []
    assert _at_risk(cases, "client_a_agent", 8, 14) == [cases.a]  # due exactly at the end
    assert _at_risk(cases, "client_a_agent", 1, 21, 30) == [cases.a]
    # Overdue but not yet marked breached (the loop is behind): still at risk.
    assert _at_risk(cases, "client_a_agent", 1, 23) == [cases.a]


def test_breached_clocks_of_open_cases_stay_until_the_case_is_done(cases: Cases) -> None:
    clocks_fire_due(now=utc(22, 5))
    assert _at_risk(cases, "client_a_agent", 1, 22, 10) == [cases.a]
    case_resolve(actor=SYSTEM, case=cases.a, now=utc(22, 30))
    assert _at_risk(cases, "client_a_agent", 72, 22, 40) == []


def test_paused_and_met_clocks_are_not_at_risk(cases: Cases) -> None:
    case_set_status(actor=SYSTEM, case=cases.a, status="pending_customer", now=utc(15))
    assert _at_risk(cases, "client_a_agent", 72, 16) == []


def test_the_list_is_scoped_to_the_actors_clients_and_ordered_by_deadline(cases: Cases) -> None:
    critical = open_a("Payment page down", priority="critical", at=utc(15))  # due 16:00 UTC
    # At 15:30 UTC: B's clock is overdue (02:00), the critical one due 16:00, A's 22:00.
    assert _at_risk(cases, "supervisor", 24, 15, 30) == [cases.b, critical, cases.a]
    assert _at_risk(cases, "provider_admin", 24, 15, 30) == [cases.b, critical, cases.a]
    assert _at_risk(cases, "client_a_agent", 24, 15, 30) == [critical, cases.a]
    assert _at_risk(cases, "client_b_agent", 24, 15, 30) == [cases.b]
    # A token sees its own client only, whoever made it.
    token, _raw = api_token_create(
        actor=cases.world.provider_admin.actor,
        client=cases.world.client_b,
        name="noc",
        scope=TokenScope.READ,
    )
    clocks = clocks_at_risk(actor=actor_for_token(token), within=timedelta(hours=24), now=utc(16))
    assert {clock.client_id for clock in clocks} == {cases.world.client_b.pk}
    everything = clocks_at_risk(actor=system_actor(), within=timedelta(hours=24), now=utc(16))
    assert {clock.case for clock in everything} == {cases.a, cases.b, critical}


def test_the_selector_is_one_query(cases: Cases, django_assert_num_queries: object) -> None:
    actor = cases.world.supervisor.actor
    with django_assert_num_queries(1):  # type: ignore[operator]
        clocks = list(clocks_at_risk(actor=actor, within=timedelta(hours=24), now=utc(0)))
        # Everything a row shows is already loaded.
        assert [(c.case.subject, c.client.name, c.agreement_version.pk > 0) for c in clocks]


def _get(cases: Cases, url: str, persona: str = "supervisor", **headers: str) -> tuple[int, str]:
    response = as_persona(cases.world, persona).get(url, **headers)
    return response.status_code, response.content.decode()


def _rows(html: str) -> list[str]:
    return [text_of(row) for row in re.findall(r'<tr class="risk[^"]*">(.*?)</tr>', html, re.S)]


def test_the_page_shows_due_times_in_both_zones_with_a_countdown(cases: Cases) -> None:
    with time_machine.travel(utc(1, 30), tick=False):
        status, html = _get(cases, "/sla/at-risk/?hours=1")
    assert status == 200
    rows = _rows(html)
    assert len(rows) == 1
    assert rows[0].startswith("2026-03-02 10:00 CST 2026-03-02 02:00 UTC")
    assert "Social media · First response time" in rows[0]
    assert f"#{cases.b.pk} 沙发配送延迟" in rows[0]
    assert 'data-due="2026-03-02T02:00:00+00:00"' in html
    with time_machine.travel(utc(1, 30), tick=False):
        _status, html = _get(cases, "/sla/at-risk/?hours=24")
    assert [row.split(" #")[1].split(" ")[0] for row in _rows(html)] == [
        str(cases.b.pk),
        str(cases.a.pk),
    ]


def test_the_default_window_is_four_hours(cases: Cases) -> None:
    with time_machine.travel(utc(18), tick=False):
        _status, html = _get(cases, "/sla/at-risk/")
    assert '<option value="4" selected>' in html
    assert [row for row in _rows(html) if cases.a.subject in row]  # due 22:00, in 4 h


@pytest.mark.parametrize("hours", ["abc", "0", "73", "-1", "1.5"])
def test_a_bad_window_is_a_400_with_a_message(cases: Cases, hours: str) -> None:
    for url in ("/sla/at-risk/", "/sla/at-risk/rows/"):
        status, html = _get(cases, f"{url}?hours={hours}")
        assert status == 400
        assert "Hours must be a whole number from 1 to 72." in html
        assert "hx-trigger" not in html  # a bad window is not polled


@pytest.mark.parametrize("hours", ["1", "72"])
def test_the_window_bounds_are_allowed(cases: Cases, hours: str) -> None:
    assert _get(cases, f"/sla/at-risk/?hours={hours}")[0] == 200


def test_the_table_refreshes_itself_through_the_htmx_partial(cases: Cases) -> None:
    with time_machine.travel(utc(1, 30), tick=False):
        _status, page = _get(cases, "/sla/at-risk/?hours=8")
        status, partial = _get(cases, "/sla/at-risk/rows/?hours=8", HTTP_HX_REQUEST="true")
    poller = (
        '<section class="card" id="at-risk" hx-get="/sla/at-risk/rows/?hours=8" '
        'hx-trigger="every 15s" hx-swap="outerHTML">'
    )
    assert poller in page
    assert status == 200
    assert partial.strip().startswith(poller)
    assert "<html" not in partial and "topbar" not in partial
    assert _rows(partial) == _rows(page)


def test_the_page_runs_a_fixed_number_of_queries_however_many_rows(cases: Cases) -> None:
    with time_machine.travel(utc(9, 30), tick=False):
        with CaptureQueriesContext(connection) as few:
            _status, html = _get(cases, "/sla/at-risk/?hours=24")
        assert len(_rows(html)) == 2
        for minute in (0, 5, 10, 15):
            open_a(f"Question {minute}", priority="critical", at=utc(9, minute))
        with CaptureQueriesContext(connection) as many:
            _status, html = _get(cases, "/sla/at-risk/?hours=24")
        assert len(_rows(html)) >= 6
    assert len(many) == len(few)

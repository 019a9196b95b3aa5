"""The supervisors' queue view (exact counts per client × queue × channel, the filtered lists
behind each figure) and the number of queries every console page makes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from pactline.cases.models import Case
from pactline.cases.services import case_assign, case_note, case_resolve
from pactline.web.console.access import supervised_clients
from pactline.web.console.selectors import QueueRow, queue_summary
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    HTMX,
    NOW,
    SYSTEM,
    Console,
    console_fixture,
    frozen,
    http_as,
    open_case,
)


@pytest.fixture
def vip(console: Console) -> list[Case]:
    """Client A's "vip" email queue: a critical case due in 30 min (at risk), a critical case
    whose first response breached an hour ago, a normal case assigned to the agent, and a
    breached case that was resolved (no longer counted)."""
    a = console.world.client_a
    at_risk = open_case(a, "email", priority="critical", queue="vip", minutes_ago=30)
    breached = open_case(a, "email", priority="critical", queue="vip", minutes_ago=120)
    assigned = open_case(a, "email", queue="vip", minutes_ago=10)
    case_assign(actor=SYSTEM, case=assigned, assignee=console.a_agent, now=NOW)
    gone = open_case(a, "email", priority="critical", queue="vip", minutes_ago=180)
    case_resolve(actor=SYSTEM, case=gone, now=NOW)
    return [at_risk, breached, assigned, gone]


def _row(row: QueueRow) -> tuple[object, ...]:
    return (
        row.client.code,
        row.queue,
        row.channel,
        row.open,
        row.unassigned,
        row.breached,
        row.at_risk,
        row.oldest_waiting,
    )


def _at(hour: int, minute: int = 0, second: int = 0) -> object:
    return NOW.replace(hour=hour, minute=minute, second=second)


def test_queue_counts_are_exact(console: Console, vip: list[Case]) -> None:
    supervisor = console.world.supervisor.actor
    rows = queue_summary(clients=supervised_clients(supervisor), now=NOW)
    assert [_row(row) for row in rows] == [
        # The chat's first response (60 s) is due at 15:00:40: at risk.
        ("client-a", "", "chat", 1, 1, 0, 1, _at(14, 59, 40)),
        ("client-a", "", "email", 1, 1, 0, 0, _at(14, 30)),
        ("client-a", "", "social", 1, 1, 0, 0, _at(14, 55)),
        ("client-a", "orders", "email", 1, 1, 0, 0, _at(15)),
        # The phone case is assigned and the agreement sets no clock for calls.
        ("client-a", "orders", "phone", 1, 0, 0, 0, None),
        # vip: three open (the resolved one is gone), two unassigned, one breached first
        # response (still waiting since 13:00), one due within the hour.
        ("client-a", "vip", "email", 3, 2, 1, 1, _at(13)),
        ("client-b", "", "social", 1, 1, 0, 0, _at(15)),
    ]
    # A supervisor of client A alone sees client A's queues only.
    only_a = queue_summary(
        clients=supervised_clients(console.world.client_a_manager.actor), now=NOW
    )
    assert only_a == []
    sup_a = http_as(console, "sup_a").get("/console/queues/").content.decode()
    assert 'data-client="client-a"' in sup_a and 'data-client="client-b"' not in sup_a


def _cells(html: str, queue: str, channel: str) -> dict[str, str]:
    row = re.search(
        rf'<tr class="queue-row[^"]*" data-client="client-a" data-queue="{queue}" '
        rf'data-channel="{channel}">(.*?)</tr>',
        html,
        re.S,
    )
    assert row is not None, html
    found = re.findall(r'class="(count-[a-z-]+)[^"]*"[^>]*>(\d+)<', row.group(1))
    return dict(found)


def test_the_queue_page_shows_the_counts_and_links_to_filtered_lists(
    console: Console, vip: list[Case]
) -> None:
    http = http_as(console, "supervisor")
    html = http.get("/console/queues/").content.decode()
    assert _cells(html, "vip", "email") == {
        "count-open": "3",
        "count-unassigned": "2",
        "count-breached": "1",
        "count-at-risk": "1",
    }
    link = "/console/queues/cases/?client=client-a&amp;queue=vip&amp;channel=email"
    for show in ("", "&amp;show=unassigned", "&amp;show=breached", "&amp;show=at_risk"):
        assert f'href="{link}{show}"' in html
    assert 'data-due="2026-03-02T13:00:00+00:00"' in html  # oldest waiting, counted live
    rows = http.get("/console/queues/rows/", **HTMX).content.decode()
    assert "<html" not in rows and 'id="queues"' in rows

    at_risk, breached, assigned, _gone = vip

    def listed(show: str) -> list[int]:
        url = f"/console/queues/cases/?client=client-a&queue=vip&channel=email&show={show}"
        page = http.get(url).content.decode()
        return [int(pk) for pk in re.findall(r'data-case="(\d+)"', page)]

    assert listed("all") == [breached.pk, at_risk.pk, assigned.pk]  # nearest deadline first
    assert listed("unassigned") == [breached.pk, at_risk.pk]
    assert listed("breached") == [breached.pk]
    assert listed("at_risk") == [at_risk.pk]
    assert listed("bogus") == [breached.pk, at_risk.pk, assigned.pk]


def _queries(http: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def _more_cases(console: Console, n: int) -> None:
    a = console.world.client_a
    for i in range(n):
        case = open_case(a, "email", priority="high", queue="vip", minutes_ago=i)
        if i % 2:
            case_assign(actor=SYSTEM, case=case, assignee=console.a_agent, now=NOW)
        case_note(actor=SYSTEM, case=console.email, body=f"Note {i}", now=NOW)


# Each count includes one query for the session's second factor (does the user have an
# authenticator?), asked on every request of a session not verified with a code.
@pytest.mark.parametrize(
    ("persona", "url", "most"),
    [
        # Fixed per request, whatever the number of rows or clients: an agent's actor reads
        # their clearances (two queries), the second-factor check one, and the menu asks the
        # same access functions as the pages it links to.
        ("client_a_agent", "/console/", 15),
        ("client_a_agent", "/console/rows/", 15),
        # The case view also reads the agreement in force (its categories) and the client's tags.
        ("client_a_agent", "/console/cases/{email}/", 25),
        ("supervisor", "/console/queues/", 11),
        ("supervisor", "/console/queues/cases/?client=client-a&queue=vip", 11),
    ],
)
def test_query_counts_are_bounded(
    console: Console,
    vip: list[Case],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    persona: str,
    url: str,
    most: int,
) -> None:
    http = http_as(console, persona)
    url = url.format(email=console.email.pk)
    with django_assert_max_num_queries(most):
        assert http.get(url).status_code == 200
    before = _queries(http, url)
    _more_cases(console, 12)
    assert _queries(http, url) == before  # the same with more cases in the list


def test_an_htmx_action_rerenders_the_panel_in_bounded_queries(
    console: Console, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    http = http_as(console, "client_a_agent")
    http.get("/console/")  # the session is warm
    # 30: the write itself draws the case's change number (lock and bump the client's counter)
    # after the client's audit chain head; the agent's actor reads their clearances (two
    # queries); the second-factor check and the menu's access checks as on any page; the
    # panel's category and tag choices (the agreement in force, the client's tags).
    with django_assert_max_num_queries(32):
        response = http.post(
            f"/console/cases/{console.email.pk}/note/", {"body": "Checked the order."}, **HTMX
        )
    assert response.status_code == 200

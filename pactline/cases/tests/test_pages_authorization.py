"""Authorization matrix for the case pages and actions: every persona × every page and POST.

Targets belong to client A. Anonymous → 302 to the login page; a persona that cannot see
client A → 404; one that sees it without the role → 403; allowed → 200 (pages) or 302 back to
the case (actions). A denied POST changes nothing: timeline, SLA events, status, priority."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    SYSTEM,
    Cases,
    as_persona,
    cases_fixture,
    snapshot,
)

AUTHENTICATED = frozenset(PERSONAS) - {"anonymous"}
READS_A = (
    frozenset(
        {"provider_admin", "supervisor", "client_a_manager", "client_a_viewer", "client_a_agent"}
    )
    | CASE_READERS
)
SEES_A = READS_A | PROVIDER_READERS  # billing sees client A but not its cases (403)
WORKS_A = frozenset({"provider_admin", "supervisor", "client_a_agent"})
# The at-risk page: whoever works some client's cases, and provider-wide roles that read cases
# (not billing).
WATCHES = (
    frozenset({"provider_admin", "supervisor", "client_a_agent", "client_b_agent"}) | CASE_READERS
)


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Cases], str]
    allowed: frozenset[str]
    visible: frozenset[str] = SEES_A
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    ok: int = 200


def _phone_reply(cases: Cases) -> str:
    """A phone case of client A: its reply is recorded (the email case `a` has no email from
    the customer to answer, so a reply there is refused and changes nothing)."""
    case = case_open(
        actor=SYSTEM,
        client=cases.world.client_a,
        channel="phone",
        priority="normal",
        at=MONDAY_9AM_NY,
        now=MONDAY_9AM_NY,
    )
    return f"/cases/{case.pk}/reply/"


def _case(suffix: str = "", which: str = "a") -> Callable[[Cases], str]:
    return lambda c: f"/cases/{getattr(c, which).pk}/{suffix}"


PAGES = [
    Page("case list", lambda c: "/cases/", AUTHENTICATED, visible=AUTHENTICATED),
    Page("case list of client A", lambda c: "/cases/?client=client-a", READS_A),
    Page("case page", _case(), READS_A),
    Page("at-risk page", lambda c: "/sla/at-risk/", WATCHES, visible=AUTHENTICATED),
    Page("at-risk rows", lambda c: "/sla/at-risk/rows/?hours=8", WATCHES, visible=AUTHENTICATED),
    Page("reply", _phone_reply, WORKS_A, method="post", data={"body": "On it."}, ok=302),
    Page(
        "status",
        _case("status/"),
        WORKS_A,
        method="post",
        data={"status": "pending_customer"},
        ok=302,
    ),
    Page("priority", _case("priority/"), WORKS_A, method="post", data={"priority": "high"}, ok=302),
    Page("resolve", _case("resolve/"), WORKS_A, method="post", ok=302),
    Page("reopen", _case("reopen/", "a_resolved"), WORKS_A, method="post", ok=302),
]


def _expected(page: Page, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if persona not in page.visible:
        return 404
    if persona not in page.allowed:
        return 403
    return page.ok


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_matrix(cases: Cases, page: Page, persona: str) -> None:
    http = as_persona(cases.world, persona)
    url = page.url(cases)
    before = snapshot()

    response = http.post(url, page.data) if page.method == "post" else http.get(url)

    assert response.status_code == _expected(page, persona), response.content[:400]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if page.method == "post":
        after = snapshot()
        if persona in page.allowed:
            assert after != before, "an allowed action must change something"
            assert response["Location"] == f"/cases/{url.split('/')[2]}/"
        else:
            assert after == before, "a denied action must change nothing"


def test_unknown_action_is_404(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    assert http.post(f"/cases/{cases.a.pk}/delete/").status_code == 404


def test_actions_refuse_get(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    assert http.get(f"/cases/{cases.a.pk}/resolve/").status_code == 405


def test_a_missing_case_and_another_clients_case_look_the_same(cases: Cases) -> None:
    http = as_persona(cases.world, "client_a_agent")
    missing = http.get("/cases/999999/")
    other = http.get(f"/cases/{cases.b.pk}/")
    assert missing.status_code == other.status_code == 404
    assert _main(missing.content) == _main(other.content)


def _main(html: bytes) -> bytes:
    # The layout around <main> differs by design (CSP nonce, CSRF token, the current path).
    found = re.search(rb"<main.*</main>", html, re.S)
    assert found is not None
    return found.group(0)


def test_the_list_shows_only_the_actors_clients(cases: Cases) -> None:
    html = as_persona(cases.world, "client_b_agent").get("/cases/").content.decode()
    assert cases.b.subject in html
    assert cases.a.subject not in html
    html = as_persona(cases.world, "supervisor").get("/cases/").content.decode()
    assert cases.a.subject in html and cases.b.subject in html


def test_billing_sees_the_clients_but_lists_no_case(cases: Cases) -> None:
    response = as_persona(cases.world, "billing").get("/cases/")
    html = response.content.decode()
    assert response.status_code == 200
    for case in (cases.a, cases.a_resolved, cases.b):
        assert case.subject not in html
    assert f'href="/cases/{cases.a.pk}/"' not in html


def test_the_list_filters_by_status(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    html = http.get("/cases/?status=resolved").content.decode()
    assert cases.a_resolved.subject in html
    assert cases.a.subject not in html
    # An unknown status filter is ignored rather than an error.
    assert http.get("/cases/?status=bogus").status_code == 200


def test_work_controls_are_shown_only_to_those_who_may_work(cases: Cases) -> None:
    viewer = as_persona(cases.world, "client_a_viewer").get(f"/cases/{cases.a.pk}/")
    agent = as_persona(cases.world, "client_a_agent").get(f"/cases/{cases.a.pk}/")
    assert 'id="actions"' not in viewer.content.decode()
    assert 'id="actions"' in agent.content.decode()

"""Authorization matrix for the agent console: every persona × every console page and POST.

Anonymous → 302 to the login page. Pages without a single object (my queue, the queue view)
answer 403 to whoever may not use them; a case of a client the persona cannot see → 404, one
it sees without working its cases → 403. Allowed → 200 (pages) or 302 (actions). A refused
or denied POST changes nothing: timeline, status, priority, assignee, queue, messages sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from conftest import PERSONAS as WORLD_PERSONAS
from conftest import PROVIDER_READERS
from pactline.cases.models import Case
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixture
    Console,
    console_fixture,
    frozen,
    http_as,
    snapshot,
)

PERSONAS = [*WORLD_PERSONAS, "sup_a", "a_new"]
AUTHENTICATED = frozenset(PERSONAS) - {"anonymous"}
SEES_A = (
    frozenset(
        {
            "provider_admin",
            "supervisor",
            "sup_a",
            "client_a_manager",
            "client_a_viewer",
            "client_a_agent",
        }
    )
    | PROVIDER_READERS
)
# `a_new`, an agent of client A not cleared for it (not certified, no confidentiality
# agreement), sees nothing of client A: its cases are 404 and the console has no client for them.
WORKS_A = frozenset({"provider_admin", "supervisor", "sup_a", "client_a_agent"})
WORKS_SOME = WORKS_A | {"client_b_agent"}
WATCHES = frozenset({"provider_admin", "supervisor", "sup_a"})


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Console], str]
    allowed: frozenset[str]
    visible: frozenset[str] = AUTHENTICATED  # the others get 404
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    ok: int = 200
    changes: frozenset[str] | None = None  # who changes something (default: `allowed`)
    gate: frozenset[str] | None = None  # passed before the 404 check (403 for the others)


def _case(which: str, suffix: str = "") -> Callable[[Console], str]:
    return lambda c: f"/console/cases/{getattr(c, which).pk}/{suffix}"


def _post(name: str, which: str, action: str, **data: str) -> Page:
    changes = data.pop("_changes", None)
    return Page(
        name,
        _case(which, f"{action}/"),
        WORKS_A,
        visible=SEES_A,
        method="post",
        data=data,
        ok=302,
        changes=frozenset(changes.split()) if changes is not None else None,
    )


PAGES = [
    Page("my queue", lambda c: "/console/", WORKS_SOME),
    Page("my queue rows", lambda c: "/console/rows/?channel=email", WORKS_SOME),
    Page("case view", _case("email"), WORKS_A, visible=SEES_A),
    Page(
        "case view of client B",
        _case("b"),
        {"provider_admin", "supervisor", "client_b_agent"},
        visible={"provider_admin", "supervisor", "client_b_agent", "client_b_manager"}
        | PROVIDER_READERS,
    ),
    Page("queues", lambda c: "/console/queues/", WATCHES),
    Page("queues rows", lambda c: "/console/queues/rows/", WATCHES),
    Page(
        "queue cases of A",
        lambda c: "/console/queues/cases/?client=client-a&queue=orders&channel=email",
        WATCHES,
    ),
    Page(
        "queue cases rows of A",
        lambda c: "/console/queues/cases/rows/?client=client-a&queue=orders&show=unassigned",
        WATCHES,
    ),
    Page(
        "queue cases of B",
        lambda c: "/console/queues/cases/?client=client-b",
        frozenset({"provider_admin", "supervisor"}),
        visible=AUTHENTICATED - {"sup_a"},
        gate=WATCHES,
    ),
    # Only an agent certified for client A and bound by its NDA may take its work.
    _post("take", "chat", "take", _changes="client_a_agent"),
    _post("reply (phone: recorded)", "phone", "reply", body="I called the customer back."),
    _post("reply by email", "email", "reply", body="A new lamp is on its way."),
    _post("reply in the chat", "chat", "reply", body="It left our depot today."),
    _post("reply on social", "social", "reply", body="Your refund was issued today."),
    _post("note", "email", "note", body="Customer is a VIP."),
    _post("status", "email", "status", status="pending_customer"),
    _post("priority", "email", "priority", priority="high"),
    _post("escalate", "email", "escalate", reason="Second complaint this week."),
    _post("assign", "email", "assign", assignee="{a_agent}"),
    _post("assign an uncertified agent", "email", "assign", assignee="{a_new}", _changes=""),
    _post("route", "email", "route", strategy="least_busy"),
    _post("resolve", "email", "resolve"),
    _post("reopen", "resolved", "reopen"),
]


def _expected(page: Page, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if page.gate is not None and persona not in page.gate:
        return 403
    if persona not in page.visible:
        return 404
    if persona not in page.allowed:
        return 403
    return page.ok


def _data(console: Console, page: Page) -> dict[str, str]:
    users = {"{a_agent}": str(console.a_agent.pk), "{a_new}": str(console.a_new.pk)}
    return {key: users.get(value, value) for key, value in page.data.items()}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_matrix(console: Console, page: Page, persona: str) -> None:
    http = http_as(console, persona)
    url = page.url(console)
    before = snapshot()

    post = page.method == "post"
    response = http.post(url, _data(console, page)) if post else http.get(url)

    assert response.status_code == _expected(page, persona), response.content[:400]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if page.method == "post":
        changes = page.allowed if page.changes is None else page.changes
        if persona in changes:
            assert snapshot() != before, "an allowed action must change something"
        else:
            assert snapshot() == before, "a denied or refused action must change nothing"
        if response.status_code == 302 and persona != "anonymous":
            assert response["Location"] == url.rsplit("/", 2)[0] + "/"


def test_an_uncleared_agents_take_finds_nothing(console: Console) -> None:
    http = http_as(console, "a_new")
    before = snapshot()
    response = http.post(f"/console/cases/{console.chat.pk}/take/", follow=True)
    assert response.status_code == 404
    assert "may not take" not in response.content.decode()
    assert snapshot() == before


def test_assigning_an_uncertified_agent_is_refused_with_a_message(console: Console) -> None:
    http = http_as(console, "supervisor")
    before = snapshot()
    response = http.post(
        f"/console/cases/{console.email.pk}/assign/",
        {"assignee": str(console.a_new.pk)},
        follow=True,
    )
    assert "Nothing changed: a-new may not take this client" in response.content.decode()
    assert snapshot() == before
    assert Case.objects.get(pk=console.email.pk).assignee_id is None


def test_assigning_someone_who_is_not_an_agent_of_the_client_is_refused(
    console: Console,
) -> None:
    http = http_as(console, "supervisor")
    before = snapshot()
    b_agent = console.world.client_b_agent.user
    assert b_agent is not None
    for value in (str(b_agent.pk), "999999", "x", "9" * 40):
        response = http.post(
            f"/console/cases/{console.email.pk}/assign/", {"assignee": value}, follow=True
        )
        assert response.status_code == 200
        assert "choose an agent from the list" in response.content.decode()
    assert snapshot() == before


def test_unknown_action_is_404_and_actions_refuse_get(console: Console) -> None:
    http = http_as(console, "supervisor")
    assert http.post(f"/console/cases/{console.email.pk}/delete/").status_code == 404
    assert http.get(f"/console/cases/{console.email.pk}/resolve/").status_code == 405
    assert http.post("/console/").status_code == 405


def test_a_missing_case_and_another_clients_case_look_the_same(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    missing = http.get("/console/cases/999999/")
    other = http.get(f"/console/cases/{console.b.pk}/")
    assert missing.status_code == other.status_code == 404
    assert _main(missing.content) == _main(other.content)
    before = snapshot()
    assert http.post(f"/console/cases/{console.b.pk}/note/", {"body": "x"}).status_code == 404
    assert snapshot() == before


def test_an_unknown_queue_client_is_404_for_a_supervisor_of_another(console: Console) -> None:
    http = http_as(console, "sup_a")
    assert http.get("/console/queues/cases/?client=nope").status_code == 404
    assert http.get("/console/queues/cases/?client=client-b").status_code == 404


def _main(html: bytes) -> bytes:
    found = re.search(rb"<main.*</main>", html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize(
    ("persona", "my_queue", "queues"),
    [
        ("client_a_agent", True, False),
        ("a_new", False, False),  # not cleared for any client: no console
        ("supervisor", True, True),
        ("sup_a", True, True),
        ("provider_admin", True, True),
        ("client_a_manager", False, False),
        ("client_b_manager", False, False),
    ],
)
def test_navigation_links(console: Console, persona: str, my_queue: bool, queues: bool) -> None:
    html = http_as(console, persona).get("/").content.decode()
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    assert ('href="/console/"' in nav) is my_queue
    assert nav.count('href="/console/queues/"') == (1 if queues else 0)

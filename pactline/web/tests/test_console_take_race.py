"""Two agents taking the same unassigned case at once: exactly one wins, the other is told who
has it and nothing changes for them. Simulated interleavings on every database, and real
concurrent transactions (two threads, two connections) on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from conftest import World, make_user
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.cases.services import case_resolve, case_take
from pactline.common.errors import Conflict, NotFound
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import Role
from pactline.web.console import views
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
from pactline.workforce.tests.support import enable


def _assignments(case: Case) -> list[dict[str, Any]]:
    entries = TimelineEntry.objects.filter(case=case, kind=EntryKind.ASSIGNED).order_by("seq")
    return [entry.payload for entry in entries]


def _second_agent(console: Console) -> User:
    return enable(
        make_user("a-second", (Role.AGENT, console.world.client_a)), console.world.client_a
    )


def test_the_loser_of_a_take_is_told_who_has_the_case(console: Console) -> None:
    """Agent A read the case while it was unassigned; agent B took it before A's take ran."""
    second = _second_agent(console)
    stale = Case.objects.get(pk=console.chat.pk)
    assert stale.assignee_id is None

    case_take(actor=actor_for_user(second), case=Case.objects.get(pk=stale.pk), agent=second)
    with pytest.raises(Conflict, match=r"^a-second has already taken the case$"):
        case_take(actor=actor_for_user(console.a_agent), case=stale, agent=console.a_agent)

    assert Case.objects.get(pk=stale.pk).assignee == second
    assert _assignments(stale) == [{"assignee": "a-second"}]


def test_the_console_take_that_loses_the_race_changes_nothing(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console read the case as unassigned, then another agent's take committed before
    this request's take: the request gets the loser's message, the winner keeps the case."""
    second = _second_agent(console)
    read = views._console_case
    raced: list[int] = []

    def read_then_lose_the_race(actor: Any, case_id: int) -> Case:
        case = read(actor, case_id)
        if not raced:
            raced.append(case_id)
            case_take(actor=actor_for_user(second), case=Case.objects.get(pk=case_id), agent=second)
        return case

    monkeypatch.setattr(views, "_console_case", read_then_lose_the_race)
    http = http_as(console, "client_a_agent")
    response = http.post(f"/console/cases/{console.chat.pk}/take/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing changed: a-second has already taken the case" in html
    assert "is now yours" not in html
    assert Case.objects.get(pk=console.chat.pk).assignee == second
    assert _assignments(console.chat) == [{"assignee": "a-second"}]


def test_taking_is_refused_for_a_resolved_case_ones_own_and_an_ineligible_agent(
    console: Console,
) -> None:
    agent = console.a_agent
    actor = actor_for_user(agent)
    with pytest.raises(Conflict, match="the case is already yours"):
        case_take(actor=actor, case=console.phone, agent=agent)
    with pytest.raises(Conflict, match="reopen it first"):
        case_take(actor=actor, case=console.resolved, agent=agent)
    with pytest.raises(NotFound):  # not cleared: not certified, no confidentiality agreement
        case_take(actor=actor_for_user(console.a_new), case=console.chat, agent=console.a_new)
    # Client B's agent cannot reach client A's case at all.
    b_agent = console.world.client_b_agent.user
    assert b_agent is not None
    with pytest.raises(NotFound):
        case_take(actor=actor_for_user(b_agent), case=console.chat, agent=b_agent)
    assert Case.objects.get(pk=console.chat.pk).assignee_id is None
    assert _assignments(console.chat) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("frozen")
def test_two_agents_taking_at_once_on_postgresql(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    a = world.client_a
    load(a, "general-outsourcing")
    agents = [enable(make_user(f"racer-{n}", (Role.AGENT, a)), a) for n in range(2)]
    case = open_case(a, "phone", subject="Two agents, one case")
    barrier = threading.Barrier(len(agents))
    outcomes: dict[str, str] = {}

    def take(agent: User) -> None:
        try:
            stale = Case.objects.get(pk=case.pk)  # both read it unassigned
            barrier.wait(timeout=10)
            case_take(actor=actor_for_user(agent), case=stale, agent=agent)
            outcomes[agent.username] = "won"
        except Conflict as conflict:
            outcomes[agent.username] = str(conflict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winner = Case.objects.get(pk=case.pk).assignee
    assert winner is not None
    loser = next(agent for agent in agents if agent != winner)
    assert outcomes == {
        winner.username: "won",
        loser.username: f"{winner.username} has already taken the case",
    }
    assert _assignments(case) == [{"assignee": winner.username}]
    case_resolve(actor=SYSTEM, case=case, now=NOW)

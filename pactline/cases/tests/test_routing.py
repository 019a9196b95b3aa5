"""Routing: cases go only to agents who may take the client's work (certified, bound by the
confidentiality agreement the agreement requires); round robin, least busy, and manual
assignment through `case_assign`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from conftest import World, without_clearances
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.cases.models import Case, EntryKind
from pactline.cases.routing import route_case
from pactline.cases.services import case_assign, case_resolve
from pactline.cases.tests.test_pages_support import open_a
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.workforce.models import AgentCertification, AgentRoutingState
from pactline.workforce.services import agent_certification_revoke
from pactline.workforce.tests.support import AT, SYSTEM, agent, certify, enable

pytestmark = pytest.mark.django_db


@pytest.fixture(name="world")
def uncleared_world(world: World) -> World:
    """The world's agents start uncleared here: these tests record clearances themselves."""
    return without_clearances(world)


@pytest.fixture
def agents(world: World) -> list[User]:
    """Three agents of client A, all eligible: ann, bob, cat (in id order)."""
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    return [enable(agent(name, world.client_a), world.client_a) for name in ("ann", "bob", "cat")]


def _case(n: int = 0) -> Case:
    return open_a(f"Question {n}", at=AT - timedelta(hours=1))


def _route(case: Case, strategy: str = "round_robin", minutes: int = 0) -> str | None:
    chosen = route_case(
        actor=SYSTEM, case=case, strategy=strategy, now=AT + timedelta(minutes=minutes)
    )
    return chosen.username if chosen is not None else None


def test_round_robin_gives_each_agent_a_turn(agents: list[User]) -> None:
    picks = [_route(_case(n), minutes=n) for n in range(7)]
    assert picks == ["ann", "bob", "cat", "ann", "bob", "cat", "ann"]
    assert list(
        AgentRoutingState.objects.order_by("user_id").values_list("user__username", "assignments")
    ) == [("ann", 3), ("bob", 2), ("cat", 2)]


def test_round_robin_counts_manual_assignments_too(agents: list[User]) -> None:
    ann, bob, _cat = agents
    case_assign(actor=SYSTEM, case=_case(0), assignee=bob, now=AT)
    case_assign(actor=SYSTEM, case=_case(1), assignee=ann, now=AT + timedelta(minutes=1))
    # cat never had one; then bob had his longest ago.
    assert [_route(_case(n), minutes=2 + n) for n in range(3)] == ["cat", "bob", "ann"]


def test_least_busy_takes_the_agent_with_fewest_open_cases(agents: list[User]) -> None:
    ann, bob, cat = agents
    for n, assignee in enumerate([ann, ann, bob, cat, cat]):
        case_assign(actor=SYSTEM, case=_case(n), assignee=assignee, now=AT + timedelta(minutes=n))
    # Open cases: ann 2, bob 1, cat 2.
    assert _route(_case(10), "least_busy", minutes=10) == "bob"
    # Now ann 2, bob 2, cat 2: the tie goes to whoever was given a case longest ago (ann).
    assert _route(_case(11), "least_busy", minutes=11) == "ann"
    # Resolved cases do not count: resolve two of cat's, cat is least busy.
    for case in Case.objects.filter(assignee=cat):
        case_resolve(actor=SYSTEM, case=case, now=AT + timedelta(minutes=12))
    assert _route(_case(12), "least_busy", minutes=13) == "cat"


def test_only_eligible_agents_are_routed_to(world: World, agents: list[User]) -> None:
    _ann, bob, _cat = agents
    certify(agent("dan", world.client_a), world.client_a)  # no confidentiality agreement
    agent_certification_revoke(
        actor=SYSTEM, certification=AgentCertification.objects.get(user=bob), now=AT
    )
    picks = [_route(_case(n), minutes=n) for n in range(4)]
    assert picks == ["ann", "cat", "ann", "cat"]


def test_with_nobody_eligible_the_case_stays_in_its_queue(world: World) -> None:
    load(world.client_a, "general-outsourcing")
    agent("ann", world.client_a)  # not certified
    case = _case()
    before = case.timeline.count()
    assert _route(case) is None
    case.refresh_from_db()
    assert (case.assignee, case.timeline.count()) == (None, before)


def test_a_case_with_an_eligible_assignee_keeps_them(agents: list[User]) -> None:
    _ann, bob, _cat = agents
    case = _case()
    case_assign(actor=SYSTEM, case=case, assignee=bob, now=AT)
    assert _route(case, minutes=1) == "bob"
    # bob loses his certification: routing again finds someone else.
    agent_certification_revoke(
        actor=SYSTEM, certification=AgentCertification.objects.get(user=bob), now=AT
    )
    assert _route(case, minutes=2) == "ann"


def test_assignment_is_on_the_timeline_and_in_the_audit_log(agents: list[User]) -> None:
    ann, _bob, _cat = agents
    case = _case()
    case_assign(actor=SYSTEM, case=case, assignee=ann, now=AT)
    case_assign(actor=SYSTEM, case=case, assignee=ann, now=AT)  # the same: nothing new
    case_assign(actor=SYSTEM, case=case, assignee=None, now=AT + timedelta(minutes=1))
    case.refresh_from_db()
    assert case.assignee is None
    assert list(
        case.timeline.filter(kind=EntryKind.ASSIGNED).values_list("at", "payload", "author_kind")
    ) == [
        (AT, {"assignee": "ann"}, "system"),
        (AT + timedelta(minutes=1), {"assignee": None}, "system"),
    ]
    assert list(
        AuditEvent.objects.filter(action="case.assigned").values_list("payload", flat=True)
    ) == [{"assignee": "ann"}, {"assignee": None}]


def test_manual_assignment_refuses_an_agent_who_is_not_eligible(
    world: World, agents: list[User]
) -> None:
    uncertified = agent("dan", world.client_a)
    assert world.client_b_agent.user is not None
    enable(world.client_b_agent.user, world.client_b)
    case = _case()
    before = (case.timeline.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as failed:
        case_assign(actor=SYSTEM, case=case, assignee=uncertified, now=AT)
    assert [error.path for error in failed.value.errors] == ["assignee"]
    assert "dan" in failed.value.errors[0].message
    # An agent eligible for client B only is refused for client A.
    with pytest.raises(ValidationFailed):
        case_assign(actor=SYSTEM, case=case, assignee=world.client_b_agent.user, now=AT)
    case.refresh_from_db()
    assert case.assignee is None
    assert (case.timeline.count(), AuditEvent.objects.count()) == before


def test_who_may_route(world: World, agents: list[User]) -> None:
    case = _case()
    with pytest.raises(NotFound):
        route_case(actor=world.client_b_agent.actor, case=case, now=AT)
    with pytest.raises(Forbidden):
        route_case(actor=world.client_a_manager.actor, case=case, now=AT)
    with pytest.raises(Forbidden):
        case_assign(actor=world.client_a_viewer.actor, case=case, assignee=agents[0], now=AT)
    chosen = route_case(actor=world.supervisor.actor, case=case, now=AT)
    assert chosen is not None and chosen.username == "ann"


def test_bad_strategy_and_resolved_cases_are_refused(agents: list[User]) -> None:
    case = _case()
    with pytest.raises(ValidationFailed) as failed:
        route_case(actor=SYSTEM, case=case, strategy="random", now=AT)
    assert [error.path for error in failed.value.errors] == ["strategy"]
    case_resolve(actor=SYSTEM, case=case, now=AT)
    with pytest.raises(Conflict):
        route_case(actor=SYSTEM, case=case, now=AT)
    with pytest.raises(Conflict):
        case_assign(actor=SYSTEM, case=case, assignee=agents[0], now=AT)

"""Clearance as part of access: an agent's role for a client holds only while the agent is
certified for its programme and, when the agreement in force requires it, bound by a
confidentiality agreement. The actor is built with the clearances of its instant; the reader
agrees with `agent_can_work` (the rule routing and taking work apply) at every instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from conftest import World, make_user, without_clearances
from pactline.agreements.tests.test_pages_support import load
from pactline.common.errors import NotFound
from pactline.tenancy.access import (
    ALL_CLIENTS,
    Actor,
    Permission,
    actor_for_token,
    actor_for_user,
    can_see_client,
    has_permission,
    is_cleared,
    require,
    visible_clients,
)
from pactline.tenancy.models import ApiToken, Client, Role, TokenScope
from pactline.workforce.clearance import cleared_client_ids
from pactline.workforce.models import AgentCertification, ConfidentialityAgreement
from pactline.workforce.selectors import agent_can_work
from pactline.workforce.services import agent_certification_revoke
from pactline.workforce.tests.support import (
    AT,
    SYSTEM,
    agent,
    bind,
    certify,
    enable,
    load_without_nda,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(name="world")
def uncleared_world(world: World) -> World:
    """Client A requires a confidentiality agreement (New York), client B does not (Shanghai);
    the world's agents start uncleared."""
    load(world.client_a, "general-outsourcing")
    load_without_nda(world.client_b, "customer-service-zh")
    return without_clearances(world)


def _clients(actor: Actor) -> set[str]:
    return {client.code for client in visible_clients(actor)}


def test_an_uncleared_agent_does_not_see_the_client_at_all(world: World) -> None:
    a = world.client_a
    ann = agent("ann", a)
    actor = actor_for_user(ann, at=AT)
    assert actor.grants == {}
    assert can_see_client(actor, a.id) is False
    with pytest.raises(NotFound):  # the same answer as for another client's data
        require(actor, Permission.CASE_VIEW, a.id)
    assert _clients(actor) == set()

    certify(ann, a)
    assert actor_for_user(ann, at=AT).grants == {}  # A requires a confidentiality agreement
    bind(ann, a)
    cleared = actor_for_user(ann, at=AT)
    assert cleared.grants == {a.id: frozenset({Role.AGENT})}
    assert has_permission(cleared, Permission.CASE_WORK, a.id)
    assert _clients(cleared) == {"client-a"}


def test_a_lapsed_or_revoked_certification_clears_nothing(world: World) -> None:
    a = world.client_a
    ann = agent("ann", a)
    certify(ann, a, expires_on=date(2026, 3, 2))
    bind(ann, a)
    # Expiry is the first day it no longer holds, in the client's zone (New York, UTC-5).
    assert actor_for_user(ann, at=datetime(2026, 3, 2, 4, 59, tzinfo=UTC)).grants
    assert actor_for_user(ann, at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC)).grants == {}

    bob = enable(agent("bob", a), a)
    agent_certification_revoke(
        actor=SYSTEM, certification=AgentCertification.objects.get(user=bob), now=AT
    )
    assert actor_for_user(bob, at=AT - timedelta(seconds=1)).grants
    assert actor_for_user(bob, at=AT).grants == {}


def test_where_the_agreement_requires_no_nda_certification_is_enough(world: World) -> None:
    b = world.client_b
    wang = agent("wang", b)
    certify(wang, b)
    assert actor_for_user(wang, at=AT).grants == {b.id: frozenset({Role.AGENT})}


def test_other_roles_are_not_subject_to_clearance(world: World) -> None:
    a = world.client_a
    both = make_user("both", (Role.AGENT, a), (Role.SUPERVISOR, a))
    assert actor_for_user(both, at=AT).grants == {a.id: frozenset({Role.SUPERVISOR})}
    for persona in (world.provider_admin, world.supervisor, world.client_a_manager):
        assert persona.user is not None
        before = actor_for_user(persona.user, at=AT).grants
        assert before and Role.AGENT not in {role for roles in before.values() for role in roles}


def test_a_provider_wide_agent_holds_the_role_for_the_clients_they_are_cleared_for(
    world: World,
) -> None:
    a, b = world.client_a, world.client_b
    roving = agent("roving", None)
    assert actor_for_user(roving, at=AT).grants == {}
    enable(roving, a)
    actor = actor_for_user(roving, at=AT)
    assert actor.grants == {a.id: frozenset({Role.AGENT})}
    assert ALL_CLIENTS not in actor.grants
    assert can_see_client(actor, b.id) is False
    assert has_permission(actor, Permission.CASE_VIEW, None) is False  # not every client
    assert _clients(actor) == {"client-a"}


def test_an_api_token_carries_its_creators_clearance(world: World) -> None:
    a = world.client_a
    ann = agent("ann", a)
    token = ApiToken.objects.create(
        client=a,
        created_by=ann,
        name="t",
        prefix="pl_test",
        digest="0" * 64,
        scope=TokenScope.WRITE,
    )
    assert actor_for_token(token).grants == {}
    enable(ann, a)
    assert actor_for_token(token).grants == {a.id: frozenset({Role.AGENT})}


def test_clearance_costs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    clients = [Client.objects.create(code=f"c-{n}", name=f"C {n}") for n in range(5)]
    ann = make_user("ann", *[(Role.AGENT, client) for client in clients])
    for client in clients:
        enable(ann, client)
    # Memberships; certifications with confidentiality agreements; versions in force.
    with django_assert_num_queries(3):
        actor = actor_for_user(ann)
    assert set(actor.grants) == {client.id for client in clients}
    assert world.supervisor.user is not None
    with django_assert_num_queries(1):  # no agent's role: nothing more to read
        actor_for_user(world.supervisor.user)


DAYS = st.integers(min_value=-3, max_value=3)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    certified=st.lists(
        st.tuples(DAYS, st.none() | st.integers(1, 4), st.none() | DAYS), max_size=1
    ),
    ndas=st.lists(st.tuples(DAYS, st.none() | st.integers(1, 4)), max_size=2),
    b_certified=st.booleans(),
    hours=st.integers(min_value=-120, max_value=120),
)
def test_the_actor_agrees_with_eligibility_at_every_instant(
    world: World,
    certified: list[tuple[int, int | None, int | None]],
    ndas: list[tuple[int, int | None]],
    b_certified: bool,
    hours: int,
) -> None:
    a, b = world.client_a, world.client_b
    ann = User.objects.filter(username="roving").first() or agent("roving", None)
    AgentCertification.objects.filter(user=ann).delete()
    ConfidentialityAgreement.objects.filter(user=ann).delete()
    base = date(2026, 3, 2)
    for start, length, revoked in certified:
        AgentCertification.objects.create(
            client=a,
            user=ann,
            certified_on=base + timedelta(days=start),
            expires_on=base + timedelta(days=start + length) if length else None,
            revoked_at=AT + timedelta(days=revoked) if revoked is not None else None,
            updated_at=AT,
        )
    for n, (signed, length) in enumerate(ndas):
        ConfidentialityAgreement.objects.create(
            client=a,
            user=ann,
            signed_on=base + timedelta(days=signed),
            expires_on=base + timedelta(days=signed + length) if length else None,
            document_version=f"NDA-{n}",
            recorded_at=AT,
        )
    if b_certified:
        AgentCertification.objects.create(client=b, user=ann, certified_on=base, updated_at=AT)
    at = AT + timedelta(hours=hours)
    expected = {c.id for c in (a, b) if agent_can_work(user=ann, client=c, at=at)}
    assert cleared_client_ids(ann.pk, at) == expected
    assert set(actor_for_user(ann, at=at).grants) == expected
    # What apps beside the workforce ask of tenancy at an instant of their own (knowledge).
    someone = actor_for_user(ann, at=AT - timedelta(days=30))
    assert {c.id for c in (a, b) if is_cleared(someone, c.id, at)} == expected

"""Who may take a client's work: an agent of the client, certified (not expired, not revoked)
and, when the agreement in force requires it, bound by a confidentiality agreement. Dates are
days of the client's home zone (client A: New York)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import World, make_user, without_clearances
from pactline.agreements.tests.test_pages_support import load
from pactline.tenancy.models import Role
from pactline.workforce.models import AgentCertification
from pactline.workforce.selectors import agent_can_work, eligible_agents
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
    """The world's agents start uncleared here: these tests record clearances themselves."""
    return without_clearances(world)


@pytest.fixture
def a_world(world: World) -> World:
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    return world


def _names(world: World, at: datetime = AT) -> list[str]:
    return [user.username for user in eligible_agents(client=world.client_a, at=at)]


def test_certified_and_bound_agents_are_eligible_in_id_order(a_world: World) -> None:
    a = a_world.client_a
    ann, bob, cat = agent("ann", a), agent("bob", a), agent("cat", a)
    enable(cat, a)
    enable(ann, a)
    certify(bob, a)  # no confidentiality agreement

    assert _names(a_world) == ["ann", "cat"]
    assert agent_can_work(user=ann, client=a, at=AT) is True
    assert agent_can_work(user=bob, client=a, at=AT) is False
    # Certified for A says nothing about B.
    assert agent_can_work(user=ann, client=a_world.client_b, at=AT) is False


def test_without_any_record_nobody_is_eligible(a_world: World) -> None:
    agent("ann", a_world.client_a)
    assert _names(a_world) == []


def test_a_confidentiality_agreement_alone_is_not_enough(a_world: World) -> None:
    ann = agent("ann", a_world.client_a)
    bind(ann, a_world.client_a)
    assert _names(a_world) == []


def test_when_the_agreement_does_not_require_one_certification_is_enough(world: World) -> None:
    load_without_nda(world.client_a, "general-outsourcing")
    ann = agent("ann", world.client_a)
    certify(ann, world.client_a)
    assert _names(world) == ["ann"]


def test_a_newer_version_that_requires_one_applies_from_its_start(world: World) -> None:
    # No agreement in force at all: the stricter reading holds.
    ann = agent("ann", world.client_a)
    certify(ann, world.client_a)
    assert _names(world) == []
    load_without_nda(world.client_a, "general-outsourcing")
    assert _names(world) == ["ann"]


def test_expiry_is_the_first_day_it_no_longer_holds_in_the_clients_zone(a_world: World) -> None:
    ann = agent("ann", a_world.client_a)
    certify(ann, a_world.client_a, expires_on=date(2026, 3, 2))
    bind(ann, a_world.client_a)
    # 04:59 UTC on 2 March is 23:59 on 1 March in New York: still certified.
    assert _names(a_world, datetime(2026, 3, 2, 4, 59, tzinfo=UTC)) == ["ann"]
    # 05:00 UTC is midnight in New York: 2 March has begun there.
    assert _names(a_world, datetime(2026, 3, 2, 5, 0, tzinfo=UTC)) == []


def test_not_yet_certified_before_the_certification_day(a_world: World) -> None:
    ann = agent("ann", a_world.client_a)
    certify(ann, a_world.client_a, certified_on=date(2026, 3, 3))
    bind(ann, a_world.client_a)
    assert _names(a_world, datetime(2026, 3, 3, 4, 59, tzinfo=UTC)) == []
    assert _names(a_world, datetime(2026, 3, 3, 5, 0, tzinfo=UTC)) == ["ann"]


def test_an_expired_confidentiality_agreement_no_longer_binds(a_world: World) -> None:
    ann = agent("ann", a_world.client_a)
    certify(ann, a_world.client_a)
    bind(ann, a_world.client_a, expires_on=date(2026, 3, 1))
    assert _names(a_world, datetime(2026, 2, 28, 12, tzinfo=UTC)) == ["ann"]
    assert _names(a_world) == []


def test_revoked_from_the_instant_of_revocation(a_world: World) -> None:
    ann = enable(agent("ann", a_world.client_a), a_world.client_a)
    certification = AgentCertification.objects.get(user=ann)
    agent_certification_revoke(actor=SYSTEM, certification=certification, now=AT)

    assert _names(a_world, AT - timedelta(seconds=1)) == ["ann"]
    assert _names(a_world, AT) == []
    assert agent_can_work(user=ann.pk, client=a_world.client_a, at=AT) is False


def test_provider_wide_agents_count_and_inactive_users_do_not(a_world: World) -> None:
    a = a_world.client_a
    roving = enable(agent("roving", None), a)
    gone = enable(agent("gone", a), a)
    gone.is_active = False
    gone.save()
    assert _names(a_world) == ["roving"]
    assert agent_can_work(user=roving, client=a_world.client_b, at=AT) is False


def test_the_agent_role_is_what_counts_not_other_roles(a_world: World) -> None:
    a = a_world.client_a
    both = make_user("both", (Role.AGENT, a), (Role.SUPERVISOR, a))
    enable(both, a)
    # Losing the agent's role makes the records moot.
    assert _names(a_world) == ["both"]
    both.memberships.filter(role=Role.AGENT).delete()
    assert _names(a_world) == []

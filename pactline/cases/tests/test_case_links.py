"""Links between cases ("possibly related"): same client only, once per pair, audited, and
read from either side."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pactline.audit.models import AuditEvent
from pactline.cases.links import case_link_related
from pactline.cases.models import Case, CaseLink
from pactline.cases.selectors import case_related_ids
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.common.errors import NotFound, ValidationFailed
from pactline.tenancy.access import actor_for_user, system_actor
from pactline.tenancy.models import Client, Membership, Role

SYSTEM = system_actor("test")


def _case(client: Client) -> Case:
    return case_open(
        actor=SYSTEM, client=client, channel="email", priority="normal", now=MONDAY_9AM_NY
    )


@pytest.mark.django_db
def test_a_link_is_made_once_audited_and_seen_from_both_cases() -> None:
    client = northwind()
    first, second, third = _case(client), _case(client), _case(client)

    link = case_link_related(actor=SYSTEM, case=second, related=first, now=MONDAY_9AM_NY)
    again = case_link_related(actor=SYSTEM, case=second, related=first, now=MONDAY_9AM_NY)
    case_link_related(actor=SYSTEM, case=third, related=first, now=MONDAY_9AM_NY)

    assert again == link
    assert (link.client_id, link.from_case_id, link.to_case_id, link.kind) == (
        client.id,
        second.pk,
        first.pk,
        "related",
    )
    assert CaseLink.objects.count() == 2
    assert AuditEvent.objects.filter(action="case.linked").count() == 2
    assert case_related_ids(first) == [second.pk, third.pk]
    assert case_related_ids(second) == [first.pk]


@pytest.mark.django_db
def test_only_two_different_cases_of_one_client_can_be_linked() -> None:
    client = northwind()
    case = _case(client)
    other = Client.objects.create(code="other", name="Other")
    theirs = Case(pk=case.pk + 1000, client_id=other.id)

    for related in (case, theirs):
        with pytest.raises(ValidationFailed) as refused:
            case_link_related(actor=SYSTEM, case=case, related=related)
        assert refused.value.errors[0].path == "related"
    assert not CaseLink.objects.exists()


@pytest.mark.django_db
def test_linking_needs_the_right_to_work_the_clients_cases() -> None:
    client = northwind()
    first, second = _case(client), _case(client)
    user = User.objects.create_user(username="elsewhere")
    Membership.objects.create(user=user, role=Role.AGENT, client=Client.objects.create(code="x"))

    with pytest.raises(NotFound):
        case_link_related(actor=actor_for_user(user), case=second, related=first)
    assert not CaseLink.objects.exists()

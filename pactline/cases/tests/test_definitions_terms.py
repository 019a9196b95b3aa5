"""The agreement schema (pure Python) names the case statuses and the roles it may use; they
must stay those Pactline's cases and tenancy have."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pactline.cases.definitions import calendar_name_for
from pactline.cases.models import CaseStatus, OperationalLevel
from pactline.cases.tests.fixtures import load_example
from pactline.core.agreement import parse_agreement
from pactline.core.agreement.base import CASE_STATUSES, ESCALATION_ROLES, PAUSE_STATUSES
from pactline.core.tests.agreement_samples import example_text
from pactline.tenancy.access import ROLE_PERMISSIONS, Permission
from pactline.tenancy.models import Role


def test_the_schema_knows_exactly_the_statuses_a_case_can_have() -> None:
    assert tuple(CaseStatus.values) == CASE_STATUSES
    assert PAUSE_STATUSES == (
        "new",
        "open",
        "pending_customer",
        "pending_client",
        "escalated",
    )


def test_escalations_hand_cases_only_to_roles_that_work_cases() -> None:
    assert set(ESCALATION_ROLES) <= set(Role.values)
    assert {role for role in Role if Permission.CASE_WORK in ROLE_PERMISSIONS[role]} == set(
        ESCALATION_ROLES
    )


def test_kestrel_emergencies_run_on_the_overnight_faults_line() -> None:
    """Kestrel's most urgent priority is "emergency", not "critical": its phone cases of that
    priority run on the faults line the agreement names for them."""
    document = parse_agreement(example_text("call-centre-per-minute.yaml"))
    assert calendar_name_for(document, "phone", "emergency") == "faults-line"
    assert calendar_name_for(document, "phone", "urgent") == "contact-centre"
    assert calendar_name_for(document, "email", "emergency") == "contact-centre"
    assert calendar_name_for(document, "web", "emergency") is None


@pytest.mark.django_db
def test_an_ola_pauses_on_case_statuses_and_targets_the_agreements_priorities() -> None:
    client = load_example("call-centre-per-minute").client  # priorities: emergency, urgent, …
    level = OperationalLevel(
        client=client,
        name="faults-first-touch",
        team="Faults",
        channel="email",
        metric="first_response",
        targets={"emergency": 600, "critical": 600},
        pause_statuses=["pending_customer", "awaiting_meter_read"],
    )
    with pytest.raises(ValidationError) as refused:
        level.full_clean()
    pause = (
        "not statuses a case can have while its clocks run: awaiting_meter_read; use any of:"
        " new, open, pending_customer, pending_client, escalated"
    )
    priorities = (
        "not priorities of the agreement in force: critical; use any of:"
        " emergency, urgent, standard"
    )
    assert refused.value.message_dict == {"pause_statuses": [pause], "targets": [priorities]}
    level.targets = {"emergency": 600}
    level.pause_statuses = ["pending_client"]
    level.full_clean()

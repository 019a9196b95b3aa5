"""Workforce services: who may call them, idempotency, audit, validation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.workforce.models import AgentCertification, ConfidentialityAgreement
from pactline.workforce.services import (
    agent_certification_revoke,
    agent_certify,
    confidentiality_agreement_record,
)
from pactline.workforce.tests.support import AT, NDA, SYSTEM, agent

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 5)


def _audit(prefix: str) -> list[tuple[str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", "payload")
    )


def _paths(failed: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [error.path for error in failed.value.errors]


def test_certify_is_idempotent_and_renewal_and_revocation_are_audited(world: World) -> None:
    ann = agent("ann", world.client_a)
    first = agent_certify(actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, now=AT)
    again = agent_certify(actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, now=AT)
    assert again.pk == first.pk
    assert _audit("agent_certification.") == [
        (
            "agent_certification.granted",
            {"user": "ann", "certified_on": "2026-01-05", "expires_on": None},
        )
    ]

    agent_certification_revoke(actor=SYSTEM, certification=first, reason="  left  ", now=AT)
    agent_certification_revoke(actor=SYSTEM, certification=first, now=AT + timedelta(hours=1))
    first.refresh_from_db()
    assert (first.revoked_at, first.revoked_reason) == (AT, "left")

    renewed = agent_certify(
        actor=SYSTEM,
        client=world.client_a,
        user=ann,
        certified_on=date(2026, 4, 1),
        expires_on=date(2027, 4, 1),
        now=AT,
    )
    assert (renewed.pk, renewed.revoked_at, renewed.expires_on) == (
        first.pk,
        None,
        date(2027, 4, 1),
    )
    assert AgentCertification.objects.filter(user=ann).count() == 1
    assert [action for action, _payload in _audit("agent_certification.")] == [
        "agent_certification.granted",
        "agent_certification.revoked",
        "agent_certification.renewed",
    ]


def test_confidentiality_agreements_are_kept_per_document_version(world: World) -> None:
    ann = agent("ann", world.client_a)

    def record(version: str, signed_on: date, expires_on: date | None = None) -> None:
        confidentiality_agreement_record(
            actor=SYSTEM,
            client=world.client_a,
            user=ann,
            signed_on=signed_on,
            document_version=version,
            expires_on=expires_on,
            now=AT,
        )

    record(NDA, JAN)
    record(f"  {NDA} ", JAN)  # the same, once trimmed
    record(NDA, JAN, date(2027, 1, 5))  # a correction
    record("NDA-2027-1", date(2027, 1, 4))
    rows = ConfidentialityAgreement.objects.filter(user=ann).order_by("document_version")
    assert list(rows.values_list("document_version", "signed_on", "expires_on")) == [
        (NDA, JAN, date(2027, 1, 5)),
        ("NDA-2027-1", date(2027, 1, 4), None),
    ]
    assert [action for action, _payload in _audit("confidentiality_agreement.")] == [
        "confidentiality_agreement.recorded",
        "confidentiality_agreement.corrected",
        "confidentiality_agreement.recorded",
    ]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("provider_admin", None),
        ("supervisor", None),
        ("client_a_agent", Forbidden),
        ("client_a_manager", Forbidden),
        ("client_a_viewer", Forbidden),
        ("client_b_agent", NotFound),
        ("client_b_manager", NotFound),
    ],
)
def test_only_provider_admins_and_supervisors_keep_the_records(
    world: World, persona: str, error: type[Exception] | None
) -> None:
    actor = getattr(world, persona).actor
    ann = agent("ann", world.client_a)
    calls = [
        lambda: agent_certify(actor=actor, client=world.client_a, user=ann, certified_on=JAN),
        lambda: confidentiality_agreement_record(
            actor=actor, client=world.client_a, user=ann, signed_on=JAN, document_version=NDA
        ),
    ]
    for call in calls:
        if error is None:
            call()
        else:
            with pytest.raises(error):
                call()
    expected = 0 if error else 1
    assert AgentCertification.objects.filter(user=ann).count() == expected
    assert ConfidentialityAgreement.objects.filter(user=ann).count() == expected


def test_bad_records_are_refused_naming_the_field(world: World) -> None:
    ann = agent("ann", world.client_a)
    with pytest.raises(ValidationFailed) as failed:
        agent_certify(
            actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, expires_on=JAN
        )
    assert _paths(failed) == ["expires_on"]
    assert world.client_a_manager.user is not None
    with pytest.raises(ValidationFailed) as failed:
        agent_certify(
            actor=SYSTEM, client=world.client_a, user=world.client_a_manager.user, certified_on=JAN
        )
    assert _paths(failed) == ["user"]
    # An agent of client B is not an agent of client A.
    assert world.client_b_agent.user is not None
    with pytest.raises(ValidationFailed) as failed:
        confidentiality_agreement_record(
            actor=SYSTEM,
            client=world.client_a,
            user=world.client_b_agent.user,
            signed_on=JAN,
            document_version=" ",
        )
    assert _paths(failed) == ["user", "document_version"]
    assert not AgentCertification.objects.filter(certified_on=JAN).exists()
    assert not ConfidentialityAgreement.objects.filter(signed_on=JAN).exists()

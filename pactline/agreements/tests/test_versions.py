from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import World
from pactline.agreements.models import Agreement, AgreementVersion, VersionStatus
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import amendment_date, document_for, example_data
from pactline.audit.models import AuditEvent
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _in_force_first(world: World, *, now: datetime = T0) -> AgreementVersion:
    admin = world.provider_admin.actor
    loaded = agreement_version_create(actor=admin, text=document_for("client-a"), now=now)
    agreement_version_propose(actor=admin, version=loaded.version, now=now)
    return agreement_version_activate(actor=admin, version=loaded.version, now=now)


def _amendment(
    world: World, *, effective_from: str, notice_days: int | None = None
) -> AgreementVersion:
    text = document_for(
        "client-a", effective_from=effective_from, notice_days=notice_days, title="Amended"
    )
    return agreement_version_create(actor=world.provider_admin.actor, text=text).version


def _home_midnight(day: str, version: AgreementVersion) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(version.home_timezone))


def test_a_document_becomes_a_draft_and_the_same_document_changes_nothing(world: World) -> None:
    admin = world.provider_admin.actor
    first = agreement_version_create(actor=admin, text=document_for("client-a"))
    events = AuditEvent.objects.count()
    again = agreement_version_create(actor=admin, text=document_for("client-a"))
    assert first.created and not again.created
    assert again.version.pk == first.version.pk
    assert first.version.status == VersionStatus.DRAFT
    assert first.version.number == 1
    assert AgreementVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "agreement.created",
        "agreement.version.created",
    ]


def test_an_invalid_document_stores_nothing_and_names_every_error(world: World) -> None:
    data = example_data()
    data["parties"]["client"]["code"] = "client-a"
    data["calendars"][next(iter(data["calendars"]))]["timezone"] = "Mars/Olympus"
    del data["termination"]
    import json

    with pytest.raises(ValidationFailed) as raised:
        agreement_version_create(
            actor=world.provider_admin.actor, text=json.dumps(data, default=str)
        )
    paths = [error.path for error in raised.value.errors]
    assert "termination" in paths
    assert any(path.endswith(".timezone") for path in paths)
    assert all(error.line is not None for error in raised.value.errors)
    assert Agreement.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_document_for_another_client_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        agreement_version_create(
            actor=world.provider_admin.actor, text=document_for("client-b"), client=world.client_a
        )
    assert [e.path for e in raised.value.errors] == ["parties.client.code"]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("client_a_agent", Forbidden),
        ("client_a_manager", Forbidden),
        ("client_b_agent", NotFound),
        ("supervisor", Forbidden),
    ],
)
def test_only_provider_admins_draft_versions(world: World, persona: str, error: type) -> None:
    actor: Actor = getattr(world, persona).actor
    with pytest.raises(error):
        agreement_version_create(actor=actor, text=document_for("client-a"))
    assert Agreement.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_unknown_client_is_created_only_when_asked_by_a_provider_admin(world: World) -> None:
    with pytest.raises(NotFound):
        agreement_version_create(actor=world.provider_admin.actor, text=document_for("client-z"))
    with pytest.raises(NotFound):
        agreement_version_create(
            actor=world.supervisor.actor, text=document_for("client-z"), create_client=True
        )
    loaded = agreement_version_create(
        actor=world.provider_admin.actor, text=document_for("client-z"), create_client=True
    )
    assert loaded.version.client.code == "client-z"


def test_the_first_version_takes_effect_on_its_own_date(world: World) -> None:
    version = _in_force_first(world)
    expected = _home_midnight(str(version.requested_effective_on), version)
    assert version.status == VersionStatus.ACTIVE
    assert version.effective_from == expected
    assert version.notice_days == 0
    assert agreement_version_in_force(world.client_a, expected) == version
    assert agreement_version_in_force(world.client_a, expected - timedelta(microseconds=1)) is None


def test_an_effective_date_before_the_notice_date_is_refused_naming_the_field(
    world: World,
) -> None:
    _in_force_first(world)
    # Proposed on 3 March (New York): 30 days of notice make the notice date 2 April.
    amendment = _amendment(world, effective_from="2026-04-01")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        agreement_version_propose(
            actor=world.provider_admin.actor, version=amendment, now=T0 + timedelta(days=1)
        )
    assert [(e.path, e.message) for e in raised.value.errors] == [
        (
            "effective_from",
            (
                "the requested effective date 2026-04-01 is before the notice date 2026-04-02 "
                "(30 days of notice from the proposal)"
            ),
        )
    ]
    amendment.refresh_from_db()
    assert amendment.status == VersionStatus.DRAFT
    assert amendment.proposed_at is None
    assert AuditEvent.objects.count() == events


def test_an_accepted_change_takes_effect_on_its_date_from_the_notice_date(world: World) -> None:
    first = _in_force_first(world)
    admin, manager = world.provider_admin.actor, world.client_a_manager.actor
    proposed_at = T0 + timedelta(days=1)
    amendment = _amendment(world, effective_from="2026-04-02")
    proposed = agreement_version_propose(actor=admin, version=amendment, now=proposed_at)
    assert proposed.notice_days == 30
    assert proposed.earliest_effective_at == _home_midnight("2026-04-02", proposed)
    assert proposed.acceptance_required is True
    assert proposed.override_permitted is False
    accepted = agreement_version_accept(actor=manager, version=amendment, now=proposed_at)
    assert accepted.accepted_by == "user:a-manager"
    assert accepted.accepted_at == proposed_at
    activated = agreement_version_activate(actor=admin, version=amendment, now=proposed_at)
    assert activated.effective_from == _home_midnight("2026-04-02", activated)
    assert agreement_version_in_force(world.client_a, activated.effective_from) == activated
    just_before = activated.effective_from - timedelta(seconds=1)
    assert agreement_version_in_force(world.client_a, just_before) == first


def test_an_accepted_change_never_takes_effect_before_its_activation(world: World) -> None:
    _in_force_first(world)
    admin, manager = world.provider_admin.actor, world.client_a_manager.actor
    amendment = _amendment(world, effective_from="2026-04-02")
    agreement_version_propose(actor=admin, version=amendment, now=T0 + timedelta(days=1))
    later = datetime(2026, 4, 5, 15, 0, tzinfo=UTC)
    agreement_version_accept(actor=manager, version=amendment, now=later)
    activated = agreement_version_activate(actor=admin, version=amendment, now=later)
    assert activated.effective_from == later


def test_status_transitions_are_enforced(world: World) -> None:
    first = _in_force_first(world)
    admin, manager = world.provider_admin.actor, world.client_a_manager.actor
    with pytest.raises(Conflict):
        agreement_version_propose(actor=admin, version=first)
    with pytest.raises(Conflict):
        agreement_version_accept(actor=manager, version=first)
    with pytest.raises(Conflict):
        agreement_version_activate(actor=admin, version=first)
    draft = _amendment(world, effective_from=amendment_date())
    with pytest.raises(Conflict):
        agreement_version_activate(actor=admin, version=draft)
    with pytest.raises(Conflict):
        agreement_version_accept(actor=manager, version=draft)


@pytest.mark.parametrize(
    ("persona", "action", "error"),
    [
        ("provider_admin", "accept", Forbidden),
        ("client_a_viewer", "accept", Forbidden),
        ("client_b_manager", "accept", NotFound),
        ("client_a_manager", "activate", Forbidden),
        ("supervisor", "activate", Forbidden),
        ("client_b_agent", "activate", NotFound),
        ("anonymous", "accept", NotFound),
    ],
)
def test_denied_lifecycle_actions_change_nothing(
    world: World, persona: str, action: str, error: type
) -> None:
    _in_force_first(world)
    amendment = _amendment(world, effective_from=amendment_date())
    agreement_version_propose(actor=world.provider_admin.actor, version=amendment)
    events = AuditEvent.objects.count()
    service = {"accept": agreement_version_accept, "activate": agreement_version_activate}[action]
    with pytest.raises(error):
        service(actor=getattr(world, persona).actor, version=amendment)
    amendment.refresh_from_db()
    assert amendment.status == VersionStatus.PROPOSED
    assert amendment.accepted_at is None
    assert AuditEvent.objects.count() == events


def test_an_activated_version_is_immutable(world: World) -> None:
    version = AgreementVersion.objects.get(pk=_in_force_first(world).pk)
    version.document = {**version.document, "title": "Rewritten"}
    with pytest.raises(TypeError, match="immutable"):
        version.save()
    version.refresh_from_db()
    assert version.document["title"] != "Rewritten"


def test_every_step_is_audited_with_its_actor(world: World) -> None:
    _in_force_first(world)
    amendment = _amendment(world, effective_from=amendment_date())
    agreement_version_propose(actor=world.provider_admin.actor, version=amendment)
    agreement_version_accept(actor=world.client_a_manager.actor, version=amendment)
    rows = list(
        AuditEvent.objects.filter(action__startswith="agreement.version").values_list(
            "action", "actor_label"
        )
    )
    assert rows == [
        ("agreement.version.created", "user:admin"),
        ("agreement.version.proposed", "user:admin"),
        ("agreement.version.activated", "user:admin"),
        ("agreement.version.created", "user:admin"),
        ("agreement.version.proposed", "user:admin"),
        ("agreement.version.accepted", "user:a-manager"),
    ]


def test_a_version_escalating_to_a_role_nobody_holds_for_the_client_is_not_activated(
    world: World,
) -> None:
    admin = world.provider_admin.actor
    # Client A's supervisor is the world's only one; without them nobody supervises A.
    Membership.objects.filter(role=Role.SUPERVISOR, client=world.client_a).delete()
    version = agreement_version_create(actor=admin, text=document_for("client-a"), now=T0).version
    agreement_version_propose(actor=admin, version=version, now=T0)
    with pytest.raises(ValidationFailed) as refused:
        agreement_version_activate(actor=admin, version=version, now=T0)
    assert [(e.path, e.message) for e in refused.value.errors] == [
        (
            "escalation.ladders.0.levels.1.actions.1.role",
            (
                "nobody holds the role 'supervisor' for this client; give someone that role"
                " first (roles held: agent, billing, client_manager, client_viewer, provider_admin,"
                " qa_analyst, workforce_planner)"
            ),
        )
    ]
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    # A supervisor of client B only does not help client A; one of every client does.
    assert Membership.objects.filter(role=Role.SUPERVISOR, client=world.client_b).exists()
    with pytest.raises(ValidationFailed):
        agreement_version_activate(actor=admin, version=version, now=T0)
    Membership.objects.create(user=world.supervisor.user, role=Role.SUPERVISOR, client=None)
    activated = agreement_version_activate(actor=admin, version=version, now=T0)
    assert activated.status == VersionStatus.ACTIVE

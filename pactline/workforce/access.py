"""Who may do what in the workforce app; the only module here that reads memberships.

An agent may take a client's work at an instant when they hold an agent's role for the client
(or provider-wide), are certified for its programme and, when the agreement in force requires
it, are bound by a confidentiality agreement. Workforce records are kept by provider admins and
supervisors. Cannot see the client → NotFound; sees it without the role → Forbidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import confidentiality_required
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import (
    Actor,
    Permission,
    can_see_client,
    has_permission,
    memberships_with,
)
from pactline.tenancy.models import Client, Membership
from pactline.workforce.models import AgentCertification, ConfidentialityAgreement

executes("data_protection.confidentiality_agreement_required")


@dataclass(frozen=True)
class ProgrammeRules:
    """What the agreement in force at an instant asks of the agents, and the local day."""

    day: date
    confidentiality_required: bool


def programme_rules(client: Client, at: datetime) -> ProgrammeRules:
    """The day `at` falls on in the client's home zone, and whether an NDA is required."""
    return rules_of_version(agreement_version_in_force(client, at), at)


def rules_of_version(version: AgreementVersion | None, at: datetime) -> ProgrammeRules:
    """`programme_rules` under the version in force at `at` (already read).

    Without an agreement in force the stricter reading holds (the schema's default: required)."""
    if version is None:
        return ProgrammeRules(day=at.astimezone(UTC).date(), confidentiality_required=True)
    try:
        zone = ZoneInfo(version.home_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return ProgrammeRules(
        day=at.astimezone(zone).date(),
        confidentiality_required=confidentiality_required(version.terms),
    )


def agent_memberships(client: Client) -> QuerySet[Membership]:
    """Memberships that may take the client's queued work (QUEUE_WORK): for it, or
    provider-wide."""
    return memberships_with(Permission.QUEUE_WORK, client.id)


def agents_of(client: Client) -> QuerySet[User]:
    """Active users with an agent's role for `client`, certified or not."""
    return User.objects.filter(
        is_active=True, pk__in=agent_memberships(client).values("user_id")
    ).order_by("pk")


def _valid_on(day: date, start_field: str) -> Q:
    return Q(**{f"{start_field}__lte": day}) & (Q(expires_on__isnull=True) | Q(expires_on__gt=day))


def eligible_agents(*, client: Client, at: datetime) -> QuerySet[User]:
    """Agents who may take the client's work at `at`, ordered by id."""
    rules = programme_rules(client, at)
    certified = AgentCertification.objects.filter(
        _valid_on(rules.day, "certified_on"),
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
        client=client,
        user=OuterRef("pk"),
    )
    agents = agents_of(client).filter(Exists(certified))
    if rules.confidentiality_required:
        bound = ConfidentialityAgreement.objects.filter(
            _valid_on(rules.day, "signed_on"), client=client, user=OuterRef("pk")
        )
        agents = agents.filter(Exists(bound))
    return agents


def agent_can_work(*, user: User | int, client: Client, at: datetime) -> bool:
    user_id = user if isinstance(user, int) else user.pk
    return eligible_agents(client=client, at=at).filter(pk=user_id).exists()


def can_manage(actor: Actor, client_id: int) -> bool:
    """May keep the client's workforce records."""
    return has_permission(actor, Permission.WORKFORCE_MANAGE, client_id)


def require_manager(actor: Actor, client_id: int) -> None:
    if not can_see_client(actor, client_id):
        raise NotFound
    if not can_manage(actor, client_id):
        raise Forbidden


def access_agent_certification(actor: Actor, certification_id: int) -> AgentCertification:
    certification = (
        AgentCertification.objects.select_related("client", "user")
        .filter(id=certification_id)
        .first()
    )
    if certification is None:
        raise NotFound
    require_manager(actor, certification.client_id)
    return certification

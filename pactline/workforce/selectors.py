"""Reads for workforce records, scoped by the actor."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.workforce.access import agent_can_work, eligible_agents, require_manager
from pactline.workforce.models import (
    AgentCertification,
    AgentRoutingState,
    ConfidentialityAgreement,
)

__all__ = [
    "agent_can_work",
    "agent_certification_list",
    "agent_last_assigned",
    "confidentiality_agreement_list",
    "eligible_agents",
]


def agent_certification_list(*, actor: Actor, client: Client) -> QuerySet[AgentCertification]:
    require_manager(actor, client.id)
    return AgentCertification.objects.filter(client=client).select_related("user")


def confidentiality_agreement_list(
    *, actor: Actor, client: Client
) -> QuerySet[ConfidentialityAgreement]:
    require_manager(actor, client.id)
    return ConfidentialityAgreement.objects.filter(client=client).select_related("user")


def agent_last_assigned(*, client: Client, user_ids: list[int]) -> dict[int, datetime]:
    """When each of these agents was last given one of the client's cases (absent: never)."""
    rows = AgentRoutingState.objects.filter(client=client, user_id__in=user_ids).values_list(
        "user_id", "last_assigned_at"
    )
    return dict(rows)

"""Reads for the start page, always scoped by the actor (through tenancy/agreements selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.selectors import (
    agreement_list,
    agreement_version_in_force,
    agreement_versions_in_progress,
    agreement_versions_in_progress_counts,
)
from pactline.audit.models import AuditEvent
from pactline.audit.selectors import audit_event_list
from pactline.metrics.dashboards import ClientDashboard, client_dashboard
from pactline.tenancy.access import (
    Actor,
    Permission,
    actor_role_labels,
    has_permission,
    is_provider_admin,
    visible_clients,
)
from pactline.tenancy.models import Client
from pactline.tenancy.selectors import client_list

# Audit action codes are stable; these are their words on screen.
ACTION_LABELS: dict[str, Promise] = {
    "client.created": _("Client created"),
    "membership.granted": _("Role granted"),
    "user.created": _("User created"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "agreement.created": _("Agreement created"),
    "agreement.version.created": _("Agreement version loaded"),
    "agreement.version.proposed": _("Agreement version proposed"),
    "agreement.version.accepted": _("Agreement version accepted"),
    "agreement.version.activated": _("Agreement version activated"),
}


@dataclass(frozen=True)
class ClientSummary:
    client: Client
    in_force: AgreementVersion | None
    agreements: int
    in_progress: int  # drafts and proposals not yet activated


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    label: str
    client: Client | None


def client_summaries(*, actor: Actor, now: datetime) -> list[ClientSummary]:
    clients = list(client_list(actor=actor))
    agreements = dict(
        agreement_list(actor=actor)
        .values_list("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    in_progress = agreement_versions_in_progress_counts(actor=actor)
    return [
        ClientSummary(
            client=client,
            in_force=agreement_version_in_force(client, now),
            agreements=agreements.get(client.id, 0),
            in_progress=in_progress.get(client.id, 0),
        )
        for client in clients
    ]


def versions_in_progress(*, actor: Actor) -> list[AgreementVersion]:
    """Drafts and proposals of the actor's clients, oldest first (they wait longest)."""
    return list(agreement_versions_in_progress(actor=actor))


def versions_awaiting_acceptance(*, actor: Actor) -> list[AgreementVersion]:
    """Proposals the client has not accepted yet, for the client-side start page."""
    return [
        version
        for version in versions_in_progress(actor=actor)
        if version.status == VersionStatus.PROPOSED and version.accepted_at is None
    ]


def recent_events(*, actor: Actor, limit: int = 12) -> list[EventRow]:
    """The newest audit events the actor may read; empty for actors without audit access."""
    if not has_permission(actor, Permission.AUDIT_VIEW, None):
        return []
    clients = {client.id: client for client in visible_clients(actor)}
    scope = None if is_provider_admin(actor) else list(clients)
    rows = []
    for event in audit_event_list(client_ids=scope)[:limit]:
        label = ACTION_LABELS.get(event.action)
        rows.append(
            EventRow(
                event=event,
                label=str(label) if label is not None else event.action,
                client=clients.get(event.client_id) if event.client_id else None,
            )
        )
    return rows


def client_portals(*, actor: Actor, now: datetime) -> list[ClientDashboard]:
    """The service-level dashboard of each client a portal user acts for (their start page)."""
    return [
        client_dashboard(actor=actor, client=client, now=now) for client in client_list(actor=actor)
    ]


def role_labels(actor: Actor) -> list[str]:
    return actor_role_labels(actor)

"""Fetch-and-authorize for campaigns and their call-list entries: one NotFound for "missing" and
"not yours". Seeing a campaign takes CASE_VIEW on its client, running it (loading numbers,
dialling, recording attempts) CASE_WORK."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.channels.outbound.models import CallListEntry, Campaign
from pactline.common.errors import NotFound
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
    require,
    visible_clients,
)
from pactline.tenancy.models import Client


def _permission(for_write: bool) -> Permission:
    return Permission.CASE_WORK if for_write else Permission.CASE_VIEW


def access_campaign(actor: Actor, campaign_id: int, *, for_write: bool = False) -> Campaign:
    """The campaign, if the actor may see its client's cases (CASE_VIEW) or work them
    (CASE_WORK, `for_write`)."""
    campaign = Campaign.objects.select_related("client").filter(id=campaign_id).first()
    if campaign is None:
        raise NotFound
    require(actor, _permission(for_write), campaign.client_id)
    return campaign


def access_call_list_entry(
    actor: Actor, entry_id: int, *, for_write: bool = False
) -> CallListEntry:
    """A call-list entry, under the same rule as its campaign."""
    entry = (
        CallListEntry.objects.select_related("campaign", "campaign__client", "contact")
        .filter(id=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound
    require(actor, _permission(for_write), entry.client_id)
    return entry


def campaign_clients(actor: Actor, *, for_write: bool = False) -> QuerySet[Client]:
    """The clients whose campaigns the actor may see (or, `for_write`, run)."""
    permission = _permission(for_write)
    clients = visible_clients(actor)
    if actor.is_system:
        return clients
    allowed = [
        client_id
        for client_id in clients.values_list("id", flat=True)
        if has_permission(actor, permission, client_id)
    ]
    return clients.filter(id__in=allowed)

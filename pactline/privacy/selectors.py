"""Reads for recordings and material requests, always scoped by the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.privacy.access import clients_with
from pactline.privacy.models import MaterialRequest, Recording, RequestStatus
from pactline.tenancy.access import Actor, Permission
from pactline.tenancy.models import Client


def recording_list(
    *, actor: Actor, client: Client | None = None, permission: Permission = Permission.CASE_WORK
) -> QuerySet[Recording]:
    """Recordings of the clients for which the actor holds `permission`, newest first.
    Metadata only: reading a transcript's text is `recording_view`'s audited business."""
    recordings = (
        Recording.objects.filter(client_id__in=clients_with(actor, permission))
        .select_related("client", "case")
        .defer("transcript_text")
    )
    if client is not None:
        recordings = recordings.filter(client=client)
    return recordings.order_by("-case_id", "-created_at", "-id")


def material_request_list(
    *,
    actor: Actor,
    client: Client | None = None,
    status: RequestStatus | None = None,
    permission: Permission = Permission.MATERIAL_APPROVE,
) -> QuerySet[MaterialRequest]:
    """Requests of the clients for which the actor holds `permission`, newest first."""
    requests = MaterialRequest.objects.filter(
        client_id__in=clients_with(actor, permission)
    ).select_related("client", "recording", "recording__case")
    if client is not None:
        requests = requests.filter(client=client)
    if status is not None:
        requests = requests.filter(status=status)
    return requests.defer("recording__transcript_text").order_by("-created_at", "-id")


def recording_requests(*, recording: Recording) -> QuerySet[MaterialRequest]:
    """The requests for one recording (the caller has been through `access_recording`)."""
    return MaterialRequest.objects.filter(
        client_id=recording.client_id, recording=recording
    ).order_by("-created_at", "-id")

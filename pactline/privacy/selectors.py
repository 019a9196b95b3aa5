"""Reads for material requests, scoped by the actor (the `case_` reads: by a case the caller
has already been through `access_case` for)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pactline.cases.models import Case
from pactline.channels.recordings.models import Recording
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.tenancy.access import Actor, Permission, clients_with
from pactline.tenancy.models import Client


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


def case_requests_of(*, actor: Actor, case: Case) -> QuerySet[MaterialRequest]:
    """The actor's own requests for a case's material, newest first (none for an actor that
    is not a user: requests and their links belong to people)."""
    if actor.user_id is None:
        return MaterialRequest.objects.none()
    return MaterialRequest.objects.filter(
        client_id=case.client_id, recording__case=case, requested_by_user_id=actor.user_id
    ).order_by("-created_at", "-id")


def case_pending_requests(*, case: Case) -> dict[int, int]:
    """Recording id → how many requests for it wait for a decision."""
    rows = (
        MaterialRequest.objects.filter(
            client_id=case.client_id, recording__case=case, status=RequestStatus.REQUESTED
        )
        .values("recording_id")
        .annotate(waiting=Count("id"))
    )
    return {row["recording_id"]: row["waiting"] for row in rows}

"""Reads for recordings and material requests, scoped by the actor (the `case_` reads: by a
case the caller has already been through `access_case` for)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pactline.cases.models import Case
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


def case_recordings(*, case: Case) -> QuerySet[Recording]:
    """A case's recordings and transcripts, oldest first, metadata only (the caller has been
    through `access_case`; reading a transcript is `recording_view`'s audited business)."""
    return (
        Recording.objects.filter(client_id=case.client_id, case=case)
        .defer("transcript_text")
        .order_by("created_at", "id")
    )


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

"""Reads for recordings and transcripts, scoped by the actor (`case_recordings`: by a case the
caller has already been through `access_case` for). Metadata only: reading a transcript's text
is `recording_view`'s audited business."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.cases.models import Case
from pactline.channels.recordings.models import Recording
from pactline.tenancy.access import Actor, Permission, clients_with
from pactline.tenancy.models import Client


def recording_list(
    *, actor: Actor, client: Client | None = None, permission: Permission = Permission.CASE_WORK
) -> QuerySet[Recording]:
    """Recordings of the clients for which the actor holds `permission`, by case, newest first."""
    recordings = (
        Recording.objects.filter(client_id__in=clients_with(actor, permission))
        .select_related("client", "case")
        .defer("transcript_text")
    )
    if client is not None:
        recordings = recordings.filter(client=client)
    return recordings.order_by("-case_id", "-created_at", "-id")


def case_recordings(*, case: Case) -> QuerySet[Recording]:
    """A case's recordings and transcripts, oldest first."""
    return (
        Recording.objects.filter(client_id=case.client_id, case=case)
        .defer("transcript_text")
        .order_by("created_at", "id")
    )

"""Reads for agreements. `agreement_version_in_force` is what the engines ask."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet

from pactline.agreements.models import ACTIVATED, Agreement, AgreementVersion, VersionStatus
from pactline.tenancy.access import Actor, visible_clients
from pactline.tenancy.models import Client

IN_PROGRESS = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


def agreement_version_in_force(client: Client, at: datetime) -> AgreementVersion | None:
    """The activated version with the latest effective time not after `at`."""
    return (
        AgreementVersion.objects.filter(client=client, status__in=ACTIVATED, effective_from__lte=at)
        .select_related("agreement")
        .order_by("-effective_from", "-activated_at", "-number")
        .first()
    )


def agreement_list(*, actor: Actor, client: Client | None = None) -> QuerySet[Agreement]:
    agreements = Agreement.objects.filter(client__in=visible_clients(actor)).select_related(
        "client"
    )
    if client is not None:
        agreements = agreements.filter(client=client)
    return agreements


def agreement_version_list(*, agreement: Agreement) -> QuerySet[AgreementVersion]:
    """Versions of an agreement the caller has already been given through `access_agreement`."""
    return agreement.versions.order_by("-number")


def agreement_versions_in_progress(*, actor: Actor) -> QuerySet[AgreementVersion]:
    """Drafts and proposals of the actor's clients, oldest first (they have waited longest)."""
    return (
        AgreementVersion.objects.filter(client__in=visible_clients(actor), status__in=IN_PROGRESS)
        .select_related("agreement", "client")
        .order_by("created_at", "id")
    )


def agreement_versions_in_progress_counts(*, actor: Actor) -> dict[int, int]:
    """Client id → number of drafts and proposals, for the actor's clients."""
    rows = (
        AgreementVersion.objects.filter(client__in=visible_clients(actor), status__in=IN_PROGRESS)
        .values_list("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    return dict(rows)

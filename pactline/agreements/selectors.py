"""Reads for agreements. `agreement_version_in_force` is what the engines ask."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, OuterRef, QuerySet, Subquery

from pactline.agreements.models import ACTIVATED, Agreement, AgreementVersion, VersionStatus
from pactline.tenancy.access import Actor, visible_clients
from pactline.tenancy.models import Client

IN_PROGRESS = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


_IN_FORCE_ORDER = ("-effective_from", "-activated_at", "-number")


def agreement_version_in_force(client: Client, at: datetime) -> AgreementVersion | None:
    """The activated version with the latest effective time not after `at`."""
    return (
        AgreementVersion.objects.filter(client=client, status__in=ACTIVATED, effective_from__lte=at)
        .select_related("agreement")
        .order_by(*_IN_FORCE_ORDER)
        .first()
    )


def agreement_version_governing(version: AgreementVersion, at: datetime) -> AgreementVersion | None:
    """The activated version of the same agreement that a change to it would replace: the one
    in force at `at`, else (none in force yet) the latest activated one. None for a first
    version."""
    activated = AgreementVersion.objects.filter(
        agreement_id=version.agreement_id, status__in=ACTIVATED
    ).exclude(pk=version.pk)
    return (
        activated.filter(effective_from__lte=at).order_by(*_IN_FORCE_ORDER).first()
        or activated.order_by(*_IN_FORCE_ORDER).first()
    )


def agreement_version_previous(version: AgreementVersion) -> AgreementVersion | None:
    """The version a reader compares this one with: the latest activated version of the same
    agreement numbered before it."""
    return (
        AgreementVersion.objects.filter(
            agreement_id=version.agreement_id, status__in=ACTIVATED, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )


def agreement_versions_in_force(
    client_ids: Collection[int], at: datetime
) -> dict[int, AgreementVersion]:
    """Client id → the version in force at `at` (as `agreement_version_in_force`), for the
    clients that have one. One query whatever the number of clients."""
    if not client_ids:
        return {}
    latest = (
        AgreementVersion.objects.filter(
            client_id=OuterRef("client_id"), status__in=ACTIVATED, effective_from__lte=at
        )
        .order_by(*_IN_FORCE_ORDER)
        .values("pk")[:1]
    )
    versions = AgreementVersion.objects.filter(
        client_id__in=sorted(client_ids), pk=Subquery(latest)
    ).defer("source_text")
    return {version.client_id: version for version in versions}


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

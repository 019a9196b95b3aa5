"""Reads for social media: the client's accounts in its agreement, threads, messages, outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.cases.models import Case
from pactline.channels.social.models import (
    Delivery,
    Direction,
    SocialMessage,
    SocialThread,
)
from pactline.tenancy.models import Client


def social_thread_of_case(case: Case) -> SocialThread | None:
    """The thread the case answers (the most recently active, if several ever pointed at it)."""
    return (
        SocialThread.objects.filter(client_id=case.client_id, case=case)
        .order_by("-last_message_at", "-id")
        .first()
    )


def social_case_messages(case: Case, *, after: int = 0) -> QuerySet[SocialMessage]:
    """The case's social messages after a cursor, oldest first (caller holds the case)."""
    return (
        SocialMessage.objects.filter(client_id=case.client_id, case=case, change_seq__gt=after)
        .select_related("thread")
        .order_by("change_seq")
    )


def social_outbox(
    client: Client, *, platform: str | None = None, limit: int = 100
) -> QuerySet[SocialMessage]:
    """Replies waiting to be delivered, oldest first (caller is authorized for the client)."""
    pending = SocialMessage.objects.filter(
        client=client, direction=Direction.OUTBOUND, delivery=Delivery.PENDING
    )
    if platform:
        pending = pending.filter(platform=platform)
    return pending.select_related("thread").order_by("change_seq")[:limit]

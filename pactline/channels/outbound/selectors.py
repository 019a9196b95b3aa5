"""Reads for outbound campaigns: the campaigns an actor may see with their progress, a
campaign's call list, and the state of its calling window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import agreement_calendar, has_calendar
from pactline.channels.outbound.access import campaign_clients
from pactline.channels.outbound.models import (
    CallAttempt,
    CallListEntry,
    Campaign,
    DoNotCall,
    EntryStatus,
)
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

# How far ahead the calling window's next change is looked for.
WINDOW_HORIZON = timedelta(days=14)


def _with_progress(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    def count(status: str) -> Count:
        return Count("entries", filter=Q(entries__status=status))

    return campaigns.annotate(
        n_entries=Count("entries"),
        n_pending=count(EntryStatus.PENDING),
        n_completed=count(EntryStatus.COMPLETED),
        n_exhausted=count(EntryStatus.EXHAUSTED),
        n_do_not_call=count(EntryStatus.DO_NOT_CALL),
        n_attempts=Coalesce(Sum("entries__attempts"), 0),
    )


def campaign_list(*, actor: Actor, client: Client | None = None) -> QuerySet[Campaign]:
    """Campaigns of the clients whose cases the actor may see, newest first, each annotated
    with its progress (`n_entries`, `n_pending`, `n_completed`, `n_exhausted`,
    `n_do_not_call`, `n_attempts`)."""
    campaigns = Campaign.objects.filter(client__in=campaign_clients(actor))
    if client is not None:
        campaigns = campaigns.filter(client=client)
    return _with_progress(campaigns.select_related("client")).order_by("-created_at", "-id")


def campaign_with_progress(*, campaign: Campaign) -> Campaign:
    """The campaign again, annotated as in `campaign_list`."""
    return _with_progress(Campaign.objects.select_related("client")).get(pk=campaign.pk)


def campaign_entries(*, campaign: Campaign) -> QuerySet[CallListEntry]:
    """The call list in file order, with each entry's contact."""
    return (
        CallListEntry.objects.filter(campaign=campaign)
        .select_related("contact")
        .order_by("line_number")
    )


def entry_attempts(*, entry: CallListEntry) -> QuerySet[CallAttempt]:
    return CallAttempt.objects.filter(entry=entry).order_by("attempted_at", "id")


def do_not_call_count(*, client: Client) -> int:
    return DoNotCall.objects.filter(client=client).count()


@dataclass(frozen=True)
class CallingWindow:
    """Whether numbers may be dialled now under the campaign's calendar, and when that changes
    (None: no change within `WINDOW_HORIZON`). `in_force` is False when no agreement is in
    force for the client, and then nothing may be dialled."""

    in_force: bool
    calendar: str
    timezone: str
    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None


def calling_window(*, campaign: Campaign, now: datetime) -> CallingWindow:
    version = agreement_version_in_force(campaign.client, now)
    if version is None or not has_calendar(version.terms, campaign.calendar):
        return CallingWindow(False, campaign.calendar, "", False, None, None)
    calendar = agreement_calendar(version, campaign.calendar)
    intervals = calendar.open_intervals(now, now + WINDOW_HORIZON)
    if calendar.is_open(now):
        # Adjacent intervals (one day's hours running into the next) are one open stretch.
        closes_at: datetime | None = None
        for start, end in intervals:
            if closes_at is not None and start > closes_at:
                break
            closes_at = end
        if closes_at is not None and closes_at >= now + WINDOW_HORIZON:
            closes_at = None
        return CallingWindow(True, campaign.calendar, calendar.timezone, True, None, closes_at)
    opens_at = intervals[0][0] if intervals else None
    return CallingWindow(True, campaign.calendar, calendar.timezone, False, opens_at, None)

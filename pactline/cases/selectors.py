"""Reads for cases: lists, clocks, the merged timeline and the clocks at risk.

Scoped by the actor where the caller has not already been through `access_case`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.contrib.auth.models import User
from django.db.models import Count, F, Min, Prefetch, Q, QuerySet

from pactline.cases.models import (
    CLOSED_STATUSES,
    Case,
    CaseLink,
    CaseLinkKind,
    ClockStatus,
    Contact,
    EntryKind,
    EscalationAction,
    SlaClock,
    SlaEvent,
    TimelineEntry,
)
from pactline.common.sql import key_in
from pactline.tenancy.access import Actor, Permission, has_permission, visible_clients
from pactline.tenancy.models import Client
from pactline.workforce.access import agents_of

# Rows of the agreement version that the lists never read: the document can be large, and the
# calendars are cached per (version id, content hash), so the id and hash are all that is needed.
_VERSION_BULK = ("agreement_version__document", "agreement_version__source_text")


def case_clients(actor: Actor) -> QuerySet[Client]:
    """The clients whose cases the actor may see."""
    clients = visible_clients(actor)
    if actor.is_system or has_permission(actor, Permission.CASE_VIEW, None):
        return clients
    allowed = [
        client_id
        for client_id in actor.grants
        if client_id is not None and has_permission(actor, Permission.CASE_VIEW, client_id)
    ]
    return clients.filter(id__in=allowed)


def case_list(
    *, actor: Actor, client: Client | None = None, status: str | None = None
) -> QuerySet[Case]:
    """The actor's cases, newest first, each with `next_due` (earliest running deadline) and
    `breached` (clocks breached and still running)."""
    cases = (
        Case.objects.filter(client__in=case_clients(actor))
        .select_related("client")
        .annotate(
            next_due=Min("clocks__due_at", filter=Q(clocks__state=ClockStatus.RUNNING)),
            breached=Count(
                "clocks",
                filter=Q(clocks__state=ClockStatus.BREACHED, clocks__stopped_at__isnull=True),
            ),
        )
        .order_by("-opened_at", "-id")
    )
    if client is not None:
        cases = cases.filter(client=client)
    if status:
        cases = cases.filter(status=status)
    return cases


def open_cases_of_contacts(*, client_id: int, contact_ids: Iterable[int]) -> dict[int, int]:
    """Contact id → id of the contact's most recent open case (not resolved or closed) of the
    client, for contacts that have one. One query for the whole set (a batch of calls)."""
    ids = sorted(set(contact_ids))
    if not ids:
        return {}
    rows = (
        Case.objects.filter(key_in("contact_id", ids), client_id=client_id)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("contact_id", "-opened_at", "-id")
        .values_list("contact_id", "id")
    )
    found: dict[int, int] = {}
    for contact_id, case_id in rows:
        found.setdefault(contact_id, case_id)
    return found


def contact_with_merged(*, client_id: int, contact_id: int) -> list[int]:
    """The contact and every contact merged into it (directly or through others): what still
    points at the old ids (calls, messages) belongs to the survivor."""
    found, frontier = [contact_id], [contact_id]
    while frontier:
        frontier = list(
            Contact.objects.filter(client_id=client_id, merged_into_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found += frontier
    return found


def case_clocks(*, case: Case) -> QuerySet[SlaClock]:
    """Every cycle of every clock of a case (already authorized), with its recorded events."""
    events = SlaEvent.objects.order_by("occurred_at", "id")
    return (
        SlaClock.objects.filter(client_id=case.client_id, case=case)
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("key", "cycle")
    )


@dataclass(frozen=True)
class TimelineItem:
    """One row of the merged timeline: an entry, an SLA event, or an escalation action."""

    at: datetime
    source: Literal["entry", "event", "action"]
    entry: TimelineEntry | None = None
    event: SlaEvent | None = None
    action: EscalationAction | None = None


_SOURCE_ORDER = {"entry": 0, "event": 1, "action": 2}


def case_entries(*, actor: Actor, case: Case) -> QuerySet[TimelineEntry]:
    """The case's timeline entries the actor may read (the case already authorized): the
    provider's internal notes only for those who hold `CASE_INTERNAL_VIEW` (never the client's
    users, nor their API tokens)."""
    entries = TimelineEntry.objects.filter(client_id=case.client_id, case=case)
    if not has_permission(actor, Permission.CASE_INTERNAL_VIEW, case.client_id):
        entries = entries.exclude(kind=EntryKind.NOTE)
    return entries


def case_timeline(*, actor: Actor, case: Case) -> list[TimelineItem]:
    """What happened to a case, oldest first, as the actor may read it: its timeline entries
    (`case_entries`) merged with the warnings, breaches and escalations its clocks recorded
    (suppressed ones included, for the record) and the outcome of each escalation action.
    Three queries whatever the case's length."""
    items = [
        TimelineItem(entry.at, "entry", entry=entry)
        for entry in case_entries(actor=actor, case=case)
    ]
    items += [
        TimelineItem(event.occurred_at, "event", event=event)
        for event in SlaEvent.objects.filter(client_id=case.client_id, case=case).select_related(
            "clock"
        )
    ]
    items += [
        # An action is dated when it finished; until then, when its level fired.
        TimelineItem(action.done_at or action.event.occurred_at, "action", action=action)
        for action in EscalationAction.objects.filter(
            client_id=case.client_id, case=case
        ).select_related("event", "event__clock")
    ]

    def order(item: TimelineItem) -> tuple[datetime, int, int]:
        row = item.entry or item.event or item.action
        tie = row.seq if isinstance(row, TimelineEntry) else (row.pk if row else 0)
        return (item.at, _SOURCE_ORDER[item.source], tie)

    return sorted(items, key=order)


def clocks_at_risk(*, actor: Actor, within: timedelta, now: datetime) -> QuerySet[SlaClock]:
    """Running clocks of the actor's clients due by `now + within` (overdue ones included),
    and breached clocks still running on open cases; soonest deadline first."""
    running = Q(state=ClockStatus.RUNNING, due_at__isnull=False, due_at__lte=now + within)
    breached = Q(state=ClockStatus.BREACHED, stopped_at__isnull=True) & ~Q(
        case__status__in=CLOSED_STATUSES
    )
    return (
        SlaClock.objects.filter(client__in=case_clients(actor))
        .filter(running | breached)
        .select_related("case", "client", "agreement_version")
        .defer(*_VERSION_BULK)
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def contact_email_addresses(*, client_id: int, contact_id: int | None) -> list[str]:
    """The email addresses of a client's contact (of the contact it was merged into, if it
    was), lower case; none without a contact."""
    seen: set[int] = set()
    while contact_id is not None and contact_id not in seen:
        seen.add(contact_id)
        contact = Contact.objects.filter(client_id=client_id, pk=contact_id).first()
        if contact is None:
            return []
        if contact.merged_into_id is None:
            return [address.lower() for address in contact.email_list]
        contact_id = contact.merged_into_id
    return []


def case_related_ids(case: Case) -> list[int]:
    """The cases linked to this one as possibly related, either way, oldest link first; for a
    caller already through `access_case`."""
    links = CaseLink.objects.filter(client_id=case.client_id, kind=CaseLinkKind.RELATED)
    found = [
        *links.filter(from_case=case).values_list("to_case_id", "created_at"),
        *links.filter(to_case=case).values_list("from_case_id", "created_at"),
    ]
    found.sort(key=lambda item: item[1])
    return list(dict.fromkeys(case_id for case_id, _at in found))


def client_agent(*, client: Client, user_id: int) -> User | None:
    """An active user with an agent's role for the client (certified or not: whether they may
    take the work is `case_assign`'s to judge, and to explain)."""
    return agents_of(client).filter(pk=user_id).first()

"""Reads for the console: my queue, the supervisors' queue summary and filtered lists, and
what a reply on the case's own channel would answer.

Callers pass the clients they got from `pactline.web.console.access` (or a case they got from
`access_case`), so every read here is already scoped by the actor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet

from pactline.cases.models import (
    CLOSED_STATUSES,
    Case,
    Channel,
    ClockMetric,
    ClockStatus,
    SlaClock,
)
from pactline.channels.chat.models import ChatSession
from pactline.channels.chat.selectors import chat_session_open_of
from pactline.channels.email.models import EmailMessage
from pactline.channels.email.selectors import email_reply_recipients
from pactline.channels.social.models import SocialThread
from pactline.channels.social.selectors import social_thread_of_case
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.workforce.selectors import eligible_agents

AT_RISK_WINDOW = timedelta(hours=1)
# Rows of the pinned agreement version that lists never read (only its home zone is shown).
_VERSION_BULK = ("agreement_version__document", "agreement_version__source_text")
_WAITING_METRICS = (ClockMetric.FIRST_RESPONSE, ClockMetric.NEXT_RESPONSE)


def _counting(prefix: str = "") -> Q:
    """Clocks still counting: running, or breached and not yet stopped."""
    return Q(**{f"{prefix}state": ClockStatus.RUNNING}) | Q(
        **{f"{prefix}state": ClockStatus.BREACHED, f"{prefix}stopped_at__isnull": True}
    )


def _breached(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": ClockStatus.BREACHED, f"{prefix}stopped_at__isnull": True})


def _at_risk(now: datetime, prefix: str = "") -> Q:
    """Running clocks due within the next hour (overdue ones the loop has not marked yet
    included), as on the clocks-at-risk page."""
    return Q(
        **{
            f"{prefix}state": ClockStatus.RUNNING,
            f"{prefix}due_at__isnull": False,
            f"{prefix}due_at__lte": now + AT_RISK_WINDOW,
        }
    )


def _by_deadline(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases with `next_due` (the earliest deadline of a counting clock), `next_event`
    (the earliest warning or breach ahead) and `breached` (breached clocks still counting),
    the nearest deadline first; cases without one last, oldest first."""
    return (
        cases.exclude(status__in=CLOSED_STATUSES)
        .select_related("client", "assignee", "agreement_version")
        .defer(*_VERSION_BULK)
        .annotate(
            next_due=Min("clocks__due_at", filter=_counting("clocks__")),
            next_event=Min("clocks__next_event_at", filter=_counting("clocks__")),
            breached=Count("clocks", filter=_breached("clocks__")),
        )
        .order_by(
            F("next_due").asc(nulls_last=True),
            F("next_event").asc(nulls_last=True),
            "opened_at",
            "id",
        )
    )


# --- My queue ------------------------------------------------------------------------------


def takeable_client_ids(*, actor: Actor, clients: Sequence[Client]) -> list[int]:
    """The clients whose unassigned cases the actor may take: of `clients` (those they hold an
    agent's role for), all of them, because tenancy grants an agent's role only while the agent
    is cleared for the client at this request's instant (certified, bound by the
    confidentiality agreement when required): no further read per client."""
    if actor.user_id is None:
        return []
    return [client.id for client in clients]


def my_queue(
    *,
    actor: Actor,
    clients: Sequence[Client],
    takeable: Sequence[int],
    client_id: int | None = None,
    channel: str = "",
    status: str = "",
) -> QuerySet[Case]:
    """The actor's open cases and the unassigned open cases of the clients they may take,
    among `clients` (those whose cases the actor works); nearest deadline first."""
    mine = Q(assignee_id=actor.user_id) if actor.user_id is not None else Q(pk__in=[])
    free = Q(assignee__isnull=True, client_id__in=list(takeable))
    cases = Case.objects.filter(client_id__in=[client.id for client in clients]).filter(mine | free)
    if client_id is not None:
        cases = cases.filter(client_id=client_id)
    if channel:
        cases = cases.filter(channel=channel)
    if status:
        cases = cases.filter(status=status)
    return _by_deadline(cases)


# --- The supervisors' queue view ---------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One client × queue × channel: its open cases and how their clocks stand."""

    client: Client
    queue: str
    channel: str
    open: int = 0
    unassigned: int = 0
    breached: int = 0
    at_risk: int = 0
    oldest_waiting: datetime | None = None  # since when the longest-waiting customer waits


def queue_summary(*, clients: Sequence[Client], now: datetime) -> list[QueueRow]:
    """Per client × queue × channel with open cases: open and unassigned cases, breached
    clocks still counting, clocks due within the hour, and the oldest customer still waiting
    for a (first or next) response. Two aggregate queries, whatever the number of cases."""
    by_id = {client.id: client for client in clients}
    open_cases = Case.objects.filter(client_id__in=list(by_id)).exclude(status__in=CLOSED_STATUSES)
    counts = (
        open_cases.values("client_id", "queue", "channel")
        .annotate(
            n_open=Count("id"),
            n_unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    )
    clocks = (
        SlaClock.objects.filter(client_id__in=list(by_id))
        .exclude(case__status__in=CLOSED_STATUSES)
        .values("client_id", "case__queue", "case__channel")
        .annotate(
            n_breached=Count("id", filter=_breached()),
            n_at_risk=Count("id", filter=_at_risk(now)),
            waiting_since=Min("started_at", filter=_counting() & Q(metric__in=_WAITING_METRICS)),
        )
        .order_by()
    )
    rows: dict[tuple[int, str, str], QueueRow] = {}
    for item in counts:
        key = (item["client_id"], item["queue"], item["channel"])
        rows[key] = QueueRow(
            by_id[item["client_id"]],
            item["queue"],
            item["channel"],
            open=item["n_open"],
            unassigned=item["n_unassigned"],
        )
    for clock in clocks:
        key = (clock["client_id"], clock["case__queue"], clock["case__channel"])
        row = rows.get(key)
        if row is None:
            continue  # cannot happen: a clock of an open case has its case counted above
        rows[key] = QueueRow(
            row.client,
            row.queue,
            row.channel,
            open=row.open,
            unassigned=row.unassigned,
            breached=clock["n_breached"],
            at_risk=clock["n_at_risk"],
            oldest_waiting=clock["waiting_since"],
        )
    return sorted(
        rows.values(), key=lambda row: (row.client.name, row.client.id, row.queue, row.channel)
    )


class Show(StrEnum):
    """Which open cases of a queue the filtered list shows."""

    ALL = "all"
    UNASSIGNED = "unassigned"
    BREACHED = "breached"
    AT_RISK = "at_risk"


def queue_cases(
    *, client: Client, queue: str, channel: str, show: Show, now: datetime
) -> QuerySet[Case]:
    """The open cases of one client × queue × channel (any channel when `channel` is empty),
    nearest deadline first."""
    cases = Case.objects.filter(client=client, queue=queue)
    if channel:
        cases = cases.filter(channel=channel)
    if show == Show.UNASSIGNED:
        cases = cases.filter(assignee__isnull=True)
    elif show in (Show.BREACHED, Show.AT_RISK):
        condition = _breached() if show == Show.BREACHED else _at_risk(now)
        clocks = SlaClock.objects.filter(condition, client_id=client.id, case=OuterRef("pk"))
        cases = cases.filter(Exists(clocks))
    return _by_deadline(cases)


# --- The console case view ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyRoute:
    """Where a reply on the case's own channel goes. `kind` is the channel's way of answering
    ("email", "chat", "social", or "record" for phone and web: recorded on the case); the
    matching object is None when there is nothing to answer (no email, no open chat…). An
    email reply goes to `email_to` (the contact's own address); `email_outside_reply_to` is a
    Reply-To outside the contact's addresses, offered to the agent as an explicit choice."""

    kind: str
    email: EmailMessage | None = None
    chat: ChatSession | None = None
    social: SocialThread | None = None
    email_to: tuple[str, ...] = ()
    email_outside_reply_to: str = ""

    @property
    def available(self) -> bool:
        if self.kind == "email":
            return self.email is not None and bool(self.email_to or self.email_outside_reply_to)
        if self.kind == "chat":
            return self.chat is not None
        if self.kind == "social":
            return self.social is not None
        return True


def reply_route(case: Case) -> ReplyRoute:
    """How the console answers the customer on the case's channel. A few queries at most."""
    if case.channel == Channel.EMAIL:
        recipients = email_reply_recipients(case)
        return ReplyRoute(
            "email",
            email=recipients.parent,
            email_to=recipients.to,
            email_outside_reply_to=recipients.outside_reply_to,
        )
    if case.channel == Channel.CHAT:
        return ReplyRoute("chat", chat=chat_session_open_of(case))
    if case.channel == Channel.SOCIAL:
        return ReplyRoute("social", social=social_thread_of_case(case))
    return ReplyRoute("record")


def assignable_agents(*, case: Case, now: datetime) -> list[User]:
    """The agents who may take the case's client's work now, by name."""
    return sorted(
        eligible_agents(client=case.client, at=now), key=lambda user: (user.username, user.pk)
    )

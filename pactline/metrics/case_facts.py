"""Facts from cases: arrival, first response, resolution and each stopped SLA clock.

* Arrival (at `opened_at`): a contact offered on the case's channel (phone cases excepted:
  their calls are the contacts), and its repeat-contact FCR: a case is followed by a repeat
  when the same contact opens another case of the same category within the window of the
  agreement's FCR metric (reference §1.6; any channel counts, as a caller who writes back
  was not resolved either).
* First response (at the stop of the first cycle of the `first_response` clock): met or
  not, with the clock's business seconds (pauses excluded, as the contract measures) and the
  calendar seconds since the case opened.
* Resolution (at `resolved_at` of a resolved or closed case): within target when its
  resolution clock met its target; business seconds from that clock, or from the case's
  calendar where the agreement sets no resolution clock.
* Each clock cycle, by clock key, for clock compliance: met at the moment it met; missed at
  the moment it breached, whether or not it stopped since (a breached, never-answered email is
  missed in the period it breached). A running clock whose due time passed is missed then,
  even before the clock loop recorded it (`clock_dues_consume` re-derives such cases). A
  cycle the case stopped before its goal ("stopped": resolved without a reply) and one still
  within target are not measured (statements count the latter as pending).
* The wait of a contact on the async channels, on its arrival fact, so "answered within N s"
  counts them as it counts calls: a chat from the customer's start to the first human agent
  message (calendar seconds; a chat that ended before any is abandoned), an email or social
  message in business time to the first human reply. Unanswered and still open: no wait yet.
* A chat's handle time from its own timeline: from the agent joining (their first message)
  to the end of the chat, plus wrap-up after it (see `WRAP_UP_MAX`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Min

from pactline.agreements.terms import agreement_calendar, calendar_name_for, fcr_window_days
from pactline.cases.models import (
    CLOSED_STATUSES,
    AuthorKind,
    Case,
    ClockStatus,
    EntryKind,
    SlaClock,
    TimelineEntry,
)
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.metrics.fact_rows import FactRow, fact
from pactline.metrics.intervals import interval_of
from pactline.metrics.models import Part, Source, WaitOutcome

_MEASURED = (ClockStatus.MET, ClockStatus.BREACHED, ClockStatus.RUNNING)
# The wrap-up after a chat ends that counts as handle time: the agent's resolution of the case
# up to this long after the end. Later work on the case is follow-up, not the chat's handling.
WRAP_UP_MAX = timedelta(minutes=15)


@dataclass(frozen=True)
class ChatVisit:
    """One chat session of a case: start, end (None while open), first human agent message."""

    started: datetime
    ended: datetime | None
    joined: datetime | None


@dataclass
class CaseContext:
    """What the facts of a batch of cases need beyond the cases, fetched once per batch."""

    clocks: dict[int, list[SlaClock]] = field(default_factory=lambda: defaultdict(list))
    repeated: set[int] = field(default_factory=set)
    first_human_reply: dict[int, datetime] = field(default_factory=dict)
    chats: dict[int, list[ChatVisit]] = field(default_factory=lambda: defaultdict(list))
    now: datetime | None = None  # derivation time: a running clock due by then is missed


def _window(case: Case) -> timedelta:
    return timedelta(days=fcr_window_days(case.agreement_version.terms, case.channel))


MAX_WINDOW = timedelta(days=90)  # the longest FCR window an agreement may set


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _siblings(cases: list[Case]) -> list[tuple[int, int, str, datetime]]:
    """(id, contact, category, opened) of every case of the contacts of `cases`."""
    contacts = sorted({case.contact_id for case in cases if case.contact_id is not None})
    found: list[tuple[int, int, str, datetime]] = []
    for chunk in _chunks(contacts):
        found.extend(
            Case.objects.filter(contact_id__in=chunk).values_list(
                "pk", "contact_id", "category", "opened_at"
            )
        )
    return found


def earlier_cases(cases: list[Case]) -> set[int]:
    """Cases whose repeat flag may change because one of `cases` changed: the same contact
    and category, opened up to the longest window before one of them."""
    by_issue: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for case in cases:
        if case.contact_id is not None:
            by_issue[(case.contact_id, case.category)].append(case.opened_at)
    return {
        pk
        for pk, contact_id, category, opened_at in _siblings(cases)
        if any(
            opened_at <= at and at - opened_at <= MAX_WINDOW
            for at in by_issue.get((contact_id, category), ())
        )
    }


def _chat_visits(context: CaseContext, ids: list[int]) -> None:
    joined = dict(
        ChatMessage.objects.filter(case_id__in=ids, author_kind=AuthorKind.AGENT)
        .values("session_id")
        .annotate(first=Min("sent_at"))
        .values_list("session_id", "first")
    )
    for pk, case_id, started, ended in (
        ChatSession.objects.filter(case_id__in=ids)
        .order_by("case_id", "started_at", "pk")
        .values_list("pk", "case_id", "started_at", "ended_at")
    ):
        context.chats[case_id].append(ChatVisit(started, ended, joined.get(pk)))


def case_context(cases: list[Case], now: datetime | None = None) -> CaseContext:
    context = CaseContext(now=now)
    ids = [case.pk for case in cases]
    chat_ids = [case.pk for case in cases if case.channel == "chat"]
    for chunk in _chunks(ids):
        for clock in SlaClock.objects.filter(case_id__in=chunk, state__in=_MEASURED).order_by(
            "case_id", "key", "cycle"
        ):
            context.clocks[clock.case_id].append(clock)
        context.first_human_reply.update(
            TimelineEntry.objects.filter(
                case_id__in=chunk, kind=EntryKind.AGENT_REPLY, author_kind=AuthorKind.AGENT
            )
            .values("case_id")
            .annotate(first=Min("at"))
            .values_list("case_id", "first")
        )
    for chunk in _chunks(chat_ids):
        _chat_visits(context, chunk)
    by_issue: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for _pk, contact_id, category, opened_at in _siblings(cases):
        by_issue[(contact_id, category)].append(opened_at)
    for case in cases:
        if case.contact_id is None:
            continue
        end = case.opened_at + _window(case)
        if any(case.opened_at < at <= end for at in by_issue[(case.contact_id, case.category)]):
            context.repeated.add(case.pk)
    return context


def _fact(case: Case, part: str, at: datetime, **measures: object) -> FactRow:
    return fact(
        client_id=case.client_id,
        source=Source.CASE,
        source_id=case.pk,
        part=part,
        at=at,
        interval_start=interval_of(at),
        channel=case.channel,
        queue=case.queue,
        agent=case.assignee.username if case.assignee else "",
        priority=case.priority,
        **measures,
    )


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _business_seconds(case: Case, end: datetime) -> int:
    document = case.agreement_version.terms
    name = calendar_name_for(document, case.channel, case.priority)
    if name is None:
        return _seconds(case.opened_at, end)
    calendar = agreement_calendar(case.agreement_version, name)
    return max(0, round(calendar.between(case.opened_at, end)))


def _wait(case: Case, context: CaseContext) -> dict[str, object]:
    """The arrival fact's queue measures: answered (with its wait) or abandoned, else none."""
    if case.channel == "phone":
        return {}
    replied = context.first_human_reply.get(case.pk)
    if case.channel == "chat":
        visits = context.chats.get(case.pk, [])
        if replied is not None:
            wait = _seconds(case.opened_at, replied)
        elif visits and visits[0].ended is not None:
            ended = visits[0].ended
            return {
                "wait_outcome": WaitOutcome.ABANDONED,
                "wait_seconds": _seconds(case.opened_at, ended),
                "abandoned": 1,
                "abandoned_wait_seconds": _seconds(case.opened_at, ended),
            }
        else:
            return {}
    elif replied is not None:
        wait = _business_seconds(case, replied)
    else:
        return {}
    return {
        "wait_outcome": WaitOutcome.ANSWERED,
        "wait_seconds": wait,
        "answered": 1,
        "answered_wait_seconds": wait,
    }


def _chat_handling(case: Case, context: CaseContext) -> dict[str, object]:
    """Talk (agent joined to end) and wrap-up of the chat's ended sessions an agent joined."""
    talk = wrap = handled = 0
    for visit in context.chats.get(case.pk, []):
        if visit.joined is None or visit.ended is None:
            continue
        handled = 1
        talk += _seconds(visit.joined, visit.ended)
        resolved = case.resolved_at
        if resolved is not None and resolved >= visit.ended:
            wrap += _seconds(visit.ended, min(resolved, visit.ended + WRAP_UP_MAX))
    if not handled:
        return {}
    return {"handled": 1, "talk_seconds": talk, "acw_seconds": wrap}


def _clock_outcome(clock: SlaClock, now: datetime | None) -> tuple[datetime, bool] | None:
    """(when, met) once the cycle is measured: met when it met, missed when it breached or
    passed its due time running; None while it is within target."""
    if clock.state == ClockStatus.MET and clock.met_at is not None:
        return clock.met_at, True
    if clock.breached_at is not None:
        return clock.breached_at, False
    if (
        clock.state in (ClockStatus.RUNNING, ClockStatus.BREACHED)
        and clock.due_at is not None
        and (now is None or clock.due_at <= now)
    ):
        return clock.due_at, False
    return None


def case_facts(case: Case, context: CaseContext) -> list[FactRow]:
    clocks = context.clocks.get(case.pk, [])
    has_contact = case.contact_id is not None
    chat = _chat_handling(case, context) if case.channel == "chat" else {}
    facts = [
        _fact(
            case,
            Part.CONTACT,
            case.opened_at,
            offered=int(case.channel != "phone"),
            fcr_contacts=int(has_contact),
            fcr_repeats=int(has_contact and case.pk in context.repeated),
            **_wait(case, context),
            **chat,
        )
    ]
    for clock in clocks:
        outcome = _clock_outcome(clock, context.now)
        if outcome is not None:
            at, met = outcome
            business = round(clock.consumed_seconds)
            if not met and clock.target_seconds is not None:
                business = max(business, round(clock.target_seconds))
            facts.append(
                _fact(
                    case,
                    Part.CLOCK,
                    at,
                    clock_key=clock.key,
                    clock_met=met,
                    clock_business_seconds=business,
                    clock_calendar_seconds=_seconds(clock.started_at, at),
                )
            )
        stop = clock.met_at or clock.stopped_at
        if stop is None or clock.state == ClockStatus.RUNNING:
            continue
        met = clock.state == ClockStatus.MET
        business = round(clock.consumed_seconds)
        if clock.metric == "first_response" and clock.cycle == 1:
            facts.append(
                _fact(
                    case,
                    Part.FIRST_RESPONSE,
                    stop,
                    # a chat is handled once an agent joined and it ended (its arrival fact)
                    handled=int(case.channel not in ("phone", "chat")),
                    first_responses=1,
                    first_responses_within=int(met),
                    first_response_business_seconds=business,
                    first_response_calendar_seconds=_seconds(case.opened_at, stop),
                )
            )
    if case.status in CLOSED_STATUSES and case.resolved_at is not None:
        resolution = [clock for clock in clocks if clock.metric == "resolution"]
        last = resolution[-1] if resolution else None
        facts.append(
            _fact(
                case,
                Part.RESOLVED,
                case.resolved_at,
                resolutions=1,
                fcr_disposition_total=int(case.first_contact_resolution is not None),
                fcr_disposition_resolved=int(case.first_contact_resolution is True),
                resolutions_within=int(last is not None and last.state == ClockStatus.MET),
                resolution_business_seconds=(
                    round(last.consumed_seconds)
                    if last is not None
                    else _business_seconds(case, case.resolved_at)
                ),
                resolution_calendar_seconds=_seconds(case.opened_at, case.resolved_at),
            )
        )
    return facts

"""Usage records from the contacts: what month close rates (see `models.UsageRecord`).

* A call's queue visit (`Call`) is one `call_leg` record, part `leg`, `leg` = segment − 1. It
  is handled when answered (inbound) or reached (outbound). `number` is the dialled number as
  E.164, read in the country of the agreement's home zone. `diverted_to` says the call was
  forwarded to an outside number: a transfer target (`Call.transfer_targets`, "exten@context"
  from queue_log, a live event's target) or a later CDR leg's `dst` that is a valid public
  number, classed `international` (another country than the home region), `mobile` or
  `landline` (anything else, including numbers whose type the plan cannot tell, such as
  North American ones: the cheaper class is the one the client can be held to).
* A case is a `ticket` record `created` at its opening and, once resolved, a `ticket` record
  `resolved` at its first resolution (the earliest resolve entry of its timeline).
* An ended chat session is one `call_leg` record on channel `chat`, part `session`, call id
  `chat-<session id>`, at its start: its handled time (from the first agent message to its
  end) is `talk_seconds`, so a per-minute or per-call item naming `chat` rates it as it rates
  calls. A session no agent answered is not handled and has 0 s. An open session has none yet.
* An agent's day in the client's zone is an `agent_hours` record, part `YYYY-MM-DD`, at the
  day's first logged-in instant: seconds logged in (or a queue member), productive (logged and
  not paused) and training (paused with a reason that says "training"). A stretch still open
  (no later state yet) is counted when it closes, as metrics does. `source_id` is
  `agent_key(name)`.

Every record carries the agreement version in force at its `at` (a source with none in force
has no usage: there is nothing to bill it by), the service type of `scope.service_map`, the
first price item that rates its kind and matches its channel and service type, and whether it
fell outside the hours of the after-hours surcharge's calendar. Replacing a source deletes its
records and writes them again, so deriving twice changes nothing."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import phonenumbers
from django.db.models import Min

from pactline.agreements.execution import executes
from pactline.agreements.models import ACTIVATED, AgreementVersion
from pactline.agreements.terms import agreement_calendar
from pactline.billing.diversion import draws_replace
from pactline.billing.models import UsageKind, UsageRecord, UsageSource
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.voice.models import (
    AgentState,
    AgentStateChange,
    Call,
    CallLeg,
    Direction,
    Outcome,
)
from pactline.channels.voice.phones import region_for_timezone, to_e164
from pactline.core.agreement import AgreementDocument
from pactline.core.agreement.services import service_type_of
from pactline.core.calendar import BusinessCalendar
from pactline.core.rating import matches
from pactline.metrics.intervals import local_midnight
from pactline.metrics.timezones import client_zone
from pactline.tenancy.models import Client

executes("scope.service_map")

CALL_MODELS = ("per_minute", "per_call")
AGENT_CHANNEL = "phone"  # agent states come from the PBX
CHAT_CHANNEL = "chat"
AGENT_AUTHOR = "agent"  # `cases.AuthorKind.AGENT`: a bot's reply does not handle a chat
TRAINING = "training"


def agent_key(agent: str) -> int:
    """A stable positive 63-bit id of an agent's name (the first 8 bytes of its SHA-256):
    agents have no row of their own, and a day's record needs an integer source id."""
    return int.from_bytes(hashlib.sha256(agent.encode("utf-8")).digest()[:8], "big") >> 1


# --- The agreement a record is billed under ---------------------------------------------------


@dataclass
class Terms:
    """One activated version and what billing reads from it."""

    version: AgreementVersion

    @cached_property
    def document(self) -> AgreementDocument:
        return self.version.terms

    @cached_property
    def region(self) -> str | None:
        return region_for_timezone(self.version.home_timezone)

    @cached_property
    def calendar(self) -> BusinessCalendar | None:
        surcharge = self.document.pricing.after_hours_surcharge
        if surcharge is None:
            return None
        return agreement_calendar(self.version, str(surcharge.calendar))

    def service_type(self, **work: str | None) -> str:
        return service_type_of(self.document.scope, **work) or ""  # type: ignore[arg-type]

    def price_item(self, kind: str, channel: str, service_type: str, event: str = "") -> str:
        for item in self.document.pricing.items:
            if kind == UsageKind.CALL_LEG and item.model not in CALL_MODELS:
                continue
            if kind == UsageKind.TICKET and (
                item.model != "per_ticket" or getattr(item, "counts", None) != event
            ):
                continue
            if kind == UsageKind.AGENT_HOURS and item.model != "per_hour":
                continue
            if matches(item, channel, service_type or None):
                return str(item.name)
        return ""

    def outside_hours(self, at: datetime) -> bool:
        return self.calendar is not None and not self.calendar.is_open(at)


@dataclass
class Agreements:
    """The client's activated versions, newest effective first (as `agreement_version_in_force`
    orders them), read once per batch."""

    client_id: int
    versions: list[Terms] = field(default_factory=list)

    @classmethod
    def of(cls, client_id: int) -> Agreements:
        rows = AgreementVersion.objects.filter(
            client_id=client_id, status__in=ACTIVATED, effective_from__isnull=False
        ).order_by("-effective_from", "-activated_at", "-number")
        return cls(client_id, [Terms(version) for version in rows])

    def at(self, at: datetime) -> Terms | None:
        for terms in self.versions:
            effective = terms.version.effective_from
            if effective is not None and effective <= at:
                return terms
        return None


def _record(
    terms: Terms,
    *,
    kind: str,
    at: datetime,
    channel: str,
    service_type: str,
    event: str = "",
    **fields: object,
) -> UsageRecord:
    return UsageRecord(
        agreement_version=terms.version,
        at=at,
        kind=kind,
        channel=channel,
        service_type=service_type,
        event=event,
        price_item=terms.price_item(kind, channel, service_type, event),
        outside_hours=terms.outside_hours(at),
        **fields,
    )


# --- Calls ------------------------------------------------------------------------------------


def _outside_number(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    text = raw.split("@", 1)[0].strip()
    if not text or not any(ch.isdigit() for ch in text):
        return None
    e164 = to_e164(text, region)
    if not e164:
        return None
    number = phonenumbers.parse(e164, None)
    return number if phonenumbers.is_valid_number(number) else None


def diversion_class(raw: str, region: str | None) -> str:
    """`mobile`, `international` or `landline` for an outside number; "" for anything else
    (an agent, an extension, a queue)."""
    number = _outside_number(raw, region)
    if number is None:
        return ""
    if region is not None and phonenumbers.region_code_for_number(number) != region:
        return "international"
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    return "landline"


def _diverted_to(call: Call, legs: Sequence[CallLeg], region: str | None) -> str:
    """The class of the first outside number an inbound call was forwarded to, or ""."""
    if call.direction != Direction.INBOUND:
        return ""  # an outbound call dials the customer: that is not a diversion
    dialled = to_e164(call.dialed_number, region) if call.dialed_number else ""
    candidates = [str(target) for target in call.transfer_targets or ()]
    candidates += [leg.dst for leg in legs[1:] if leg.dst]
    for candidate in candidates:
        found = diversion_class(candidate, region)
        if found and to_e164(candidate.split("@", 1)[0].strip(), region) != dialled:
            return found
    return ""


def call_records(agreements: Agreements, calls: Iterable[Call]) -> list[UsageRecord]:
    calls = list(calls)
    legs: dict[int, list[CallLeg]] = defaultdict(list)
    for leg in CallLeg.objects.filter(call_id__in=[call.pk for call in calls]).order_by(
        "started_at", "id"
    ):
        legs[leg.call_id].append(leg)  # type: ignore[index]
    records = []
    for call in calls:
        at = call.entered_at or call.created_at
        terms = agreements.at(at)
        if terms is None:
            continue
        number = to_e164(call.dialed_number, terms.region) if call.dialed_number else ""
        service_type = terms.service_type(
            channel="phone",
            direction=call.direction,
            queue=call.queue or None,
            number=number or call.dialed_number or None,
        )
        records.append(
            _record(
                terms,
                kind=UsageKind.CALL_LEG,
                channel="phone",
                service_type=service_type,
                client_id=call.client_id,
                source=UsageSource.CALL,
                source_id=call.pk,
                part="leg",
                at=at,
                direction=call.direction,
                queue=call.queue,
                number=number[:20],
                agent=call.agent,
                call_id=call.call_id,
                leg=max(call.segment - 1, 0),
                handled=call.outcome == Outcome.ANSWERED,
                talk_seconds=call.talk_seconds,
                hold_seconds=call.hold_seconds,
                acw_seconds=call.acw_seconds,
                diverted_to=_diverted_to(call, legs.get(call.pk, []), terms.region),
            )
        )
    return records


def calls_replace(client_id: int, ids: Sequence[int]) -> int:
    """Replace the usage (and diversion draws) of these calls; returns records written."""
    UsageRecord.objects.filter(
        client_id=client_id, source=UsageSource.CALL, source_id__in=ids
    ).delete()
    calls = Call.objects.filter(client_id=client_id, pk__in=list(ids))
    records = UsageRecord.objects.bulk_create(call_records(Agreements.of(client_id), calls))
    draws_replace(client_id, ids, records)
    return len(records)


# --- Cases ------------------------------------------------------------------------------------


def _first_resolutions(case_ids: Sequence[int]) -> dict[int, datetime]:
    rows = (
        TimelineEntry.objects.filter(case_id__in=list(case_ids), kind=EntryKind.RESOLVE)
        .values("case_id")
        .annotate(first=Min("at"))
        .values_list("case_id", "first")
    )
    return dict(rows)


def case_records(agreements: Agreements, cases: Sequence[Case]) -> list[UsageRecord]:
    resolved = _first_resolutions([case.pk for case in cases if case.resolved_at is not None])
    records = []
    for case in cases:
        events = [("created", case.opened_at)]
        if case.resolved_at is not None:
            events.append(("resolved", resolved.get(case.pk, case.resolved_at)))
        for event, at in events:
            terms = agreements.at(at)
            if terms is None:
                continue
            service_type = terms.service_type(
                channel=case.channel, queue=case.queue or None, category=case.category or None
            )
            records.append(
                _record(
                    terms,
                    kind=UsageKind.TICKET,
                    channel=case.channel,
                    service_type=service_type,
                    event=event,
                    client_id=case.client_id,
                    source=UsageSource.CASE,
                    source_id=case.pk,
                    part=event,
                    at=at,
                    queue=case.queue,
                    agent=case.assignee.get_username() if case.assignee is not None else "",
                    description=case.category,
                )
            )
    return records


def cases_replace(client_id: int, ids: Sequence[int]) -> int:
    UsageRecord.objects.filter(
        client_id=client_id, source=UsageSource.CASE, source_id__in=ids
    ).delete()
    cases = list(
        Case.objects.filter(client_id=client_id, pk__in=list(ids)).select_related("assignee")
    )
    written = len(UsageRecord.objects.bulk_create(case_records(Agreements.of(client_id), cases)))
    # Ending a chat writes no message but touches its case: its sessions are derived again.
    sessions = ChatSession.objects.filter(client_id=client_id, case_id__in=list(ids))
    return written + chat_sessions_replace(client_id, list(sessions.values_list("pk", flat=True)))


# --- Chat sessions ----------------------------------------------------------------------------


def _first_agent_messages(session_ids: Sequence[int]) -> dict[int, datetime]:
    rows = (
        ChatMessage.objects.filter(session_id__in=list(session_ids), author_kind=AGENT_AUTHOR)
        .values("session_id")
        .annotate(first=Min("sent_at"))
        .values_list("session_id", "first")
    )
    return dict(rows)


def chat_records(agreements: Agreements, sessions: Sequence[ChatSession]) -> list[UsageRecord]:
    """One record per ended session (see the module docstring)."""
    answered = _first_agent_messages([session.pk for session in sessions])
    records = []
    for session in sessions:
        if session.ended_at is None:
            continue
        terms = agreements.at(session.started_at)
        if terms is None:
            continue
        case = session.case
        first = answered.get(session.pk)
        handled = first is not None
        seconds = (
            max(round((session.ended_at - first).total_seconds()), 0) if first is not None else 0
        )
        service_type = terms.service_type(
            channel=CHAT_CHANNEL, queue=case.queue or None, category=case.category or None
        )
        records.append(
            _record(
                terms,
                kind=UsageKind.CALL_LEG,
                channel=CHAT_CHANNEL,
                service_type=service_type,
                client_id=session.client_id,
                source=UsageSource.CHAT,
                source_id=session.pk,
                part="session",
                at=session.started_at,
                direction="inbound",
                queue=case.queue,
                agent=case.assignee.get_username() if case.assignee is not None else "",
                call_id=f"chat-{session.pk}",
                handled=handled,
                talk_seconds=seconds,
            )
        )
    return records


def chat_sessions_replace(client_id: int, ids: Sequence[int]) -> int:
    """Replace the usage of these chat sessions; returns records written."""
    UsageRecord.objects.filter(
        client_id=client_id, source=UsageSource.CHAT, source_id__in=list(ids)
    ).delete()
    sessions = list(
        ChatSession.objects.filter(client_id=client_id, pk__in=list(ids)).select_related(
            "case__assignee"
        )
    )
    return len(UsageRecord.objects.bulk_create(chat_records(Agreements.of(client_id), sessions)))


def chat_messages_replace(client_id: int, ids: Sequence[int]) -> int:
    """Replace the usage of the sessions of the changed messages `ids`."""
    sessions = set(
        ChatMessage.objects.filter(client_id=client_id, pk__in=list(ids)).values_list(
            "session_id", flat=True
        )
    )
    return chat_sessions_replace(client_id, sorted(sessions))


# --- Agent hours ------------------------------------------------------------------------------

_PAUSE = {AgentState.PAUSE, AgentState.PAUSE_ALL}
_UNPAUSE = {AgentState.UNPAUSE, AgentState.UNPAUSE_ALL}


@dataclass
class Tally:
    first: datetime | None = None  # the earliest instant counted
    logged: timedelta = timedelta(0)
    paused: timedelta = timedelta(0)
    training: timedelta = timedelta(0)

    def add(self, start: datetime, stop: datetime, *, paused: bool, training: bool) -> None:
        if self.first is None or start < self.first:
            self.first = start
        span = stop - start
        self.logged += span
        if paused:
            self.paused += span
            if training:
                self.training += span


@dataclass
class Day:
    """An agent's local day: the time within the surcharge calendar's hours (all of it when
    the agreement has no surcharge) and the time outside them."""

    first: datetime
    within: Tally = field(default_factory=Tally)
    outside: Tally = field(default_factory=Tally)


Span = tuple[datetime, datetime]
# The open spans of [start, stop) by the surcharge calendar in force then (all of it without).
OpenSpans = Callable[[datetime, datetime], list[Span]]


def _all_open(start: datetime, stop: datetime) -> list[Span]:
    return [(start, stop)]


def _closed(start: datetime, stop: datetime, opened: list[Span]) -> Iterator[Span]:
    """The rest of [start, stop) once the (ordered, clipped) open spans are taken out."""
    cursor = start
    for begin, end in opened:
        if begin > cursor:
            yield cursor, begin
        cursor = max(cursor, end)
    if cursor < stop:
        yield cursor, stop


def _day_cuts(
    start: datetime, end: datetime, zone: ZoneInfo
) -> Iterator[tuple[date, datetime, datetime]]:
    """[start, end) cut at local midnights: (local day, from, to)."""
    while start < end:
        day = start.astimezone(zone).date()
        midnight = local_midnight(day + timedelta(days=1), zone)
        stop = min(end, midnight)
        yield day, start, stop
        start = stop


def agent_days(
    changes: Iterable[AgentStateChange], zone: ZoneInfo, open_spans: OpenSpans = _all_open
) -> dict[date, Day]:
    """Local day → the agent's logged, paused and training time (one agent's states), within
    and outside the hours `open_spans` tells.

    Replays as `metrics.staffed_facts.staffed_spans` does: queue membership counts per queue;
    a pause or unpause before any login means the agent was already present."""
    days: dict[date, Day] = {}
    queues: set[str] = set()
    logged_in = paused = False
    reason = ""
    previous: datetime | None = None
    for change in sorted(changes, key=lambda item: (item.at, item.pk)):
        present = logged_in or bool(queues)
        if previous is not None and present:
            for day, start, stop in _day_cuts(previous, change.at, zone):
                tally = days.setdefault(day, Day(first=start))
                training = TRAINING in reason.casefold()
                opened = open_spans(start, stop)
                for begin, end in opened:
                    tally.within.add(begin, end, paused=paused, training=training)
                for begin, end in _closed(start, stop, opened):
                    tally.outside.add(begin, end, paused=paused, training=training)
        previous = change.at
        state = AgentState(change.state)
        if state == AgentState.LOGIN:
            logged_in = True
        elif state == AgentState.LOGOUT:
            logged_in, queues, paused, reason = False, set(), False, ""
        elif state == AgentState.MEMBER_ADDED:
            queues.add(change.queue)
        elif state == AgentState.MEMBER_REMOVED:
            queues.discard(change.queue)
        elif state in _PAUSE | _UNPAUSE:
            paused = state in _PAUSE
            reason = change.reason if paused else ""
            if not logged_in and not queues:
                logged_in = True
        if not (logged_in or queues):
            paused, reason = False, ""
    return days


def _seconds(value: timedelta) -> int:
    return round(value.total_seconds())


def agent_records(
    agreements: Agreements, client_id: int, agent: str, days: dict[date, Day]
) -> list[UsageRecord]:
    """A record per day of the time within hours (part `YYYY-MM-DD`) and, when there was
    any, one of the time outside them (part `YYYY-MM-DD/after`), which the surcharge bills."""
    records = []
    for day, tally in sorted(days.items()):
        terms = agreements.at(tally.first)
        if terms is None:
            continue
        service_type = terms.service_type(channel=AGENT_CHANNEL)
        for part, time, outside in (
            (day.isoformat(), tally.within, False),
            (f"{day.isoformat()}/after", tally.outside, True),
        ):
            if not time.logged or time.first is None:
                continue
            logged, paused = _seconds(time.logged), _seconds(time.paused)
            record = _record(
                terms,
                kind=UsageKind.AGENT_HOURS,
                channel=AGENT_CHANNEL,
                service_type=service_type,
                client_id=client_id,
                source=UsageSource.AGENT_STATE,
                source_id=agent_key(agent),
                part=part,
                at=time.first,  # inside or outside hours, as the part is: rating judges by it
                agent=agent,
                logged_seconds=logged,
                productive_seconds=max(logged - paused, 0),
                training_seconds=_seconds(time.training),
            )
            record.outside_hours = outside
            records.append(record)
    return records


def open_spans_of(agreements: Agreements) -> OpenSpans:
    """The open spans of a span by the surcharge calendar of the version in force at its start."""

    def open_spans(start: datetime, stop: datetime) -> list[Span]:
        terms = agreements.at(start)
        calendar = terms.calendar if terms is not None else None
        if calendar is None:
            return [(start, stop)]
        return calendar.open_intervals(start, stop)

    return open_spans


def agents_replace(client_id: int, since: dict[str, datetime]) -> int:
    """Replace each agent's days from the one holding the state before `since[agent]` (the
    time a change may have altered from) onwards; the agent is replayed whole."""
    zone = client_zone(Client.objects.get(pk=client_id))
    agreements = Agreements.of(client_id)
    written = 0
    for agent, changed_at in sorted(since.items()):
        changes = list(
            AgentStateChange.objects.filter(client_id=client_id, agent=agent).only(
                "pk", "state", "queue", "reason", "at"
            )
        )
        before = [change.at for change in changes if change.at < changed_at]
        cutoff = (max(before) if before else changed_at).astimezone(zone).date().isoformat()
        UsageRecord.objects.filter(
            client_id=client_id,
            source=UsageSource.AGENT_STATE,
            source_id=agent_key(agent),
            part__gte=cutoff,
        ).delete()
        days = agent_days(changes, zone, open_spans_of(agreements))
        records = [
            record
            for record in agent_records(agreements, client_id, agent, days)
            if record.part >= cutoff
        ]
        written += len(UsageRecord.objects.bulk_create(records))
    return written


def agent_states_replace(client_id: int, ids: Sequence[int]) -> int:
    """Replace the agent days the changed states `ids` can have altered."""
    since: dict[str, datetime] = {}
    for agent, at in AgentStateChange.objects.filter(
        client_id=client_id, pk__in=list(ids)
    ).values_list("agent", "at"):
        since[agent] = min(at, since.get(agent, at))
    return agents_replace(client_id, since)

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
* Each clock cycle that stopped met or breached, by clock key, for clock compliance. A cycle
  the case stopped before its goal ("stopped": resolved without a reply) is not measured.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pactline.agreements.terms import agreement_calendar, calendar_name_for, fcr_window_days
from pactline.cases.models import CLOSED_STATUSES, Case, ClockStatus, SlaClock
from pactline.metrics.fact_rows import FactRow, fact
from pactline.metrics.intervals import interval_of
from pactline.metrics.models import Part, Source

_MEASURED = (ClockStatus.MET, ClockStatus.BREACHED)


@dataclass
class CaseContext:
    """What the facts of a batch of cases need beyond the cases, fetched once per batch."""

    clocks: dict[int, list[SlaClock]] = field(default_factory=lambda: defaultdict(list))
    repeated: set[int] = field(default_factory=set)


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


def case_context(cases: list[Case]) -> CaseContext:
    context = CaseContext()
    ids = [case.pk for case in cases]
    for chunk in _chunks(ids):
        for clock in SlaClock.objects.filter(case_id__in=chunk, state__in=_MEASURED).order_by(
            "case_id", "key", "cycle"
        ):
            context.clocks[clock.case_id].append(clock)
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


def case_facts(case: Case, context: CaseContext) -> list[FactRow]:
    clocks = context.clocks.get(case.pk, [])
    has_contact = case.contact_id is not None
    facts = [
        _fact(
            case,
            Part.CONTACT,
            case.opened_at,
            offered=int(case.channel != "phone"),
            fcr_contacts=int(has_contact),
            fcr_repeats=int(has_contact and case.pk in context.repeated),
        )
    ]
    for clock in clocks:
        stop = clock.met_at or clock.stopped_at
        if stop is None:
            continue  # breached and still running: measured when it stops
        met = clock.state == ClockStatus.MET
        business = round(clock.consumed_seconds)
        calendar = _seconds(clock.started_at, stop)
        facts.append(
            _fact(
                case,
                Part.CLOCK,
                stop,
                clock_key=clock.key,
                clock_met=met,
                clock_business_seconds=business,
                clock_calendar_seconds=calendar,
            )
        )
        if clock.metric == "first_response" and clock.cycle == 1:
            facts.append(
                _fact(
                    case,
                    Part.FIRST_RESPONSE,
                    stop,
                    handled=int(case.channel != "phone"),
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

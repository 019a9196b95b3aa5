"""API: a case's SLA clocks, and the clocks at risk across the caller's clients."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from pactline.agreements.terms import agreement_calendar
from pactline.cases.access import access_case, require_at_risk
from pactline.cases.models import Case, SlaClock
from pactline.cases.presentation import live_consumed
from pactline.cases.selectors import case_clocks, clocks_at_risk
from pactline.cases.surveys import survey_response_record
from pactline.common.inputs import Instant, SafeStr
from pactline.tenancy.http import api_actor

router = Router(tags=["cases"])


class ClockEventOut(Schema):
    kind: str = Field(description="warning, breach or escalation")
    level: int = Field(description="warning number; 0 for a breach; ladder × 100 + level")
    occurred_at: datetime
    recorded_at: datetime
    suppressed: bool = Field(description="recorded for the record but not sent")


class ScheduledEventOut(Schema):
    kind: str
    level: int
    at: datetime


class ClockOut(Schema):
    case_id: int
    key: str = Field(description="<channel>.<metric>, e.g. email.first_response")
    metric: str
    cycle: int
    state: str = Field(description="running, paused, met, breached or stopped")
    priority: str
    calendar: str
    timezone: str = Field(description="IANA zone of the clock's calendar (the client's)")
    target_seconds: float | None
    started_at: datetime
    due_at: datetime | None
    next_event_at: datetime | None
    consumed_seconds: float = Field(description="business seconds used, as of the response")
    remaining_seconds: float | None = Field(description="negative when overdue")
    breached_at: datetime | None
    met_at: datetime | None
    stopped_at: datetime | None
    events: list[ClockEventOut]
    scheduled: list[ScheduledEventOut]


def _clock_out(case: Case, clock: SlaClock, now: datetime, *, events: bool = True) -> ClockOut:
    consumed = live_consumed(case, clock, now)
    target = clock.target_seconds
    return ClockOut(
        case_id=clock.case_id,
        key=clock.key,
        metric=clock.metric,
        cycle=clock.cycle,
        state=clock.state,
        priority=clock.priority,
        calendar=clock.calendar,
        timezone=agreement_calendar(case.agreement_version, clock.calendar).timezone,
        target_seconds=target,
        started_at=clock.started_at,
        due_at=clock.due_at,
        next_event_at=clock.next_event_at,
        consumed_seconds=round(consumed, 3),
        remaining_seconds=None if target is None else round(target - consumed, 3),
        breached_at=clock.breached_at,
        met_at=clock.met_at,
        stopped_at=clock.stopped_at,
        events=[
            ClockEventOut(
                kind=event.kind,
                level=event.level,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                suppressed=event.suppressed,
            )
            for event in (clock.events.all() if events else ())
        ],
        scheduled=[
            ScheduledEventOut(kind=item["kind"], level=item["level"], at=item["at"])
            for item in clock.schedule
        ],
    )


@router.get(
    "/cases/{int:case_id}/clocks",
    response=list[ClockOut],
    summary="Every cycle of every SLA clock of a case, with its events",
)
def get_case_clocks(request: HttpRequest, case_id: int) -> list[ClockOut]:
    case = access_case(api_actor(request), case_id)
    now = timezone.now()
    return [_clock_out(case, clock, now) for clock in case_clocks(case=case)]


class AtRiskQuery(Schema):
    hours: int = Field(4, ge=1, le=72, description="the window ahead, in hours (1–72)")


class AtRiskOut(Schema):
    client: str
    case_id: int
    subject: str
    case_status: str
    channel: str
    clock: ClockOut


@router.get(
    "/sla/at-risk",
    response=list[AtRiskOut],
    summary="Running clocks due within the window and breached clocks of open cases",
)
def get_at_risk(request: HttpRequest, query: Query[AtRiskQuery]) -> list[AtRiskOut]:
    actor = api_actor(request)
    require_at_risk(actor)
    now = timezone.now()
    clocks = clocks_at_risk(actor=actor, within=timedelta(hours=query.hours), now=now)
    rows = []
    for clock in clocks:
        case = clock.case
        # The clock carries the pinned version (select_related); the case shares it.
        case.agreement_version = clock.agreement_version
        rows.append(
            AtRiskOut(
                client=clock.client.code,
                case_id=case.pk,
                subject=case.subject,
                case_status=case.status,
                channel=case.channel,
                clock=_clock_out(case, clock, now, events=False),
            )
        )
    return rows


class SurveyIn(Schema):
    external_id: SafeStr = Field(
        ..., min_length=1, max_length=100, description="the survey tool's response id"
    )
    csat: int | None = Field(None, ge=1, le=5, description="satisfaction, 1-5")
    nps: int | None = Field(None, ge=0, le=10, description="likely to recommend, 0-10")
    resolved: bool | None = Field(None, description='"was your issue resolved?"')
    comment: SafeStr = Field("", max_length=5000)
    responded_at: Instant | None = Field(None, description="when the customer answered")


class SurveyOut(Schema):
    id: int
    case_id: int
    external_id: str
    csat: int | None
    nps: int | None
    resolved: bool | None
    responded_at: datetime
    created: bool = Field(description="false when this response id was already recorded")


@router.post(
    "/cases/{int:case_id}/surveys",
    response={200: SurveyOut, 201: SurveyOut},
    summary="Record a customer's survey response for a case (idempotent on external_id)",
)
def post_case_survey(request: HttpRequest, case_id: int, payload: SurveyIn) -> Status[SurveyOut]:
    case = access_case(api_actor(request), case_id, for_write=True)
    recorded = survey_response_record(actor=api_actor(request), case=case, **payload.dict())
    response = recorded.response
    out = SurveyOut(
        id=response.pk,
        case_id=case.pk,
        external_id=response.external_id,
        csat=response.csat,
        nps=response.nps,
        resolved=response.resolved,
        responded_at=response.responded_at,
        created=recorded.created,
    )
    return Status(201 if recorded.created else 200, out)

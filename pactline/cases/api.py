"""API: a case's SLA clocks, the clocks at risk across the caller's clients, and working a
case (reply, note, status, assign, escalate) with the console's services and checks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pactline.agreements.terms import agreement_calendar
from pactline.cases.access import access_case, require_at_risk
from pactline.cases.models import Case, SlaClock
from pactline.cases.presentation import live_consumed
from pactline.cases.replies import REPLY_MAX, Delivery, case_reply
from pactline.cases.selectors import case_clocks, client_agent, clocks_at_risk
from pactline.cases.services import (
    NOTE_MAX,
    case_assign,
    case_escalate,
    case_note,
    case_set_status,
)
from pactline.cases.surveys import survey_response_record
from pactline.common.errors import FieldError, ValidationFailed
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


# --- Working a case: what the console does, for integrations ------------------------------------


class CaseOut(Schema):
    id: int
    client: str
    channel: str
    status: str
    priority: str
    queue: str
    assignee: str | None = Field(description="the assignee's username; null when unassigned")
    updated_at: datetime


def _case_out(case: Case) -> CaseOut:
    case = Case.objects.select_related("client", "assignee").get(pk=case.pk)
    return CaseOut(
        id=case.pk,
        client=case.client.code,
        channel=case.channel,
        status=case.status,
        priority=case.priority,
        queue=case.queue,
        assignee=case.assignee.get_username() if case.assignee is not None else None,
        updated_at=case.updated_at,
    )


class ReplyIn(Schema):
    body: SafeStr = Field(..., max_length=REPLY_MAX, description="the text sent to the customer")
    include_reply_to: bool = Field(
        False, description="email: also to the last message's Reply-To outside the contact"
    )


class ReplyOut(Schema):
    case: CaseOut
    delivery: Delivery = Field(
        description="sent (email, chat), queued (social, until the platform acknowledges it) "
        "or recorded (phone, web: on the case only, nothing was sent)"
    )
    detail: str


@router.post(
    "/cases/{int:case_id}/replies",
    response=ReplyOut,
    summary="Answer the customer on the case's own channel",
    description="An email that cannot be sent is a 409 and nothing is recorded.",
)
def post_case_reply(request: HttpRequest, case_id: int, payload: ReplyIn) -> ReplyOut:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    outcome = case_reply(
        actor=actor, case=case, body=payload.body, include_reply_to=payload.include_reply_to
    )
    return ReplyOut(case=_case_out(case), delivery=outcome.delivery, detail=outcome.message)


class NoteIn(Schema):
    body: SafeStr = Field(..., max_length=NOTE_MAX, description="internal; never sent")


@router.post("/cases/{int:case_id}/notes", response=CaseOut, summary="Add an internal note")
def post_case_note(request: HttpRequest, case_id: int, payload: NoteIn) -> CaseOut:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    return _case_out(case_note(actor=actor, case=case, body=payload.body))


class StatusIn(Schema):
    status: SafeStr = Field(
        ...,
        max_length=30,
        description="new, open, pending_customer, pending_client, escalated; resolving is its own action",
    )


@router.post("/cases/{int:case_id}/status", response=CaseOut, summary="Change the status")
def post_case_status(request: HttpRequest, case_id: int, payload: StatusIn) -> CaseOut:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    return _case_out(case_set_status(actor=actor, case=case, status=payload.status))


class AssignIn(Schema):
    assignee_id: int | None = Field(
        ..., ge=1, le=2**63 - 1, description="an agent of the client; null: back to the queue"
    )


@router.post(
    "/cases/{int:case_id}/assignee",
    response=CaseOut,
    summary="Give the case to an agent of the client, or back to its queue",
)
def post_case_assignee(request: HttpRequest, case_id: int, payload: AssignIn) -> CaseOut:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    assignee = None
    if payload.assignee_id is not None:
        assignee = client_agent(client=case.client, user_id=payload.assignee_id)
        if assignee is None:
            raise ValidationFailed([FieldError("assignee_id", _("not an agent of this client"))])
    return _case_out(case_assign(actor=actor, case=case, assignee=assignee))


class EscalateIn(Schema):
    reason: SafeStr = Field("", max_length=NOTE_MAX, description="kept as an internal note")


class EscalatedOut(Schema):
    case: CaseOut
    supervisor: str = Field(description="username of the supervisor who now has the case")


@router.post(
    "/cases/{int:case_id}/escalation",
    response=EscalatedOut,
    summary="Escalate to the client's supervisors",
    description="The case is given to a supervisor of the client; 409 when it has none.",
)
def post_case_escalation(request: HttpRequest, case_id: int, payload: EscalateIn) -> EscalatedOut:
    actor = api_actor(request)
    case = access_case(actor, case_id, for_write=True)
    escalated = case_escalate(actor=actor, case=case, reason=payload.reason)
    return EscalatedOut(
        case=_case_out(escalated.case), supervisor=escalated.supervisor.get_username()
    )

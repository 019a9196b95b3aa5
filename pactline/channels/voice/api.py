"""API: live call events, Twilio status callbacks, and calls read by cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, ValidationError

from pactline.cases.access import access_case
from pactline.channels.voice.access import access_call
from pactline.channels.voice.live import EVENT_KINDS
from pactline.channels.voice.models import AgentStateChange, Call, CallSource
from pactline.channels.voice.selectors import agent_state_list, call_list
from pactline.channels.voice.services import (
    LiveEvent,
    call_event_record,
    call_link_case,
    twilio_status_record,
)
from pactline.channels.voice.twilio import twilio_auth_token, twilio_signature_valid
from pactline.common.errors import FieldError, Forbidden, ValidationFailed
from pactline.common.inputs import Instant, SafeStr
from pactline.common.json_input import json_loads_checked
from pactline.tenancy.access import Permission, access_client
from pactline.tenancy.http import api_actor
from pactline.tenancy.models import Client

router = Router(tags=["calls"])

EventType = Literal[
    "queued", "answered", "hold", "unhold", "transferred", "ended", "abandoned", "wrapup_ended"
]
if set(get_args(EventType)) != set(EVENT_KINDS):  # pragma: no cover - kept in step by hand
    raise ImproperlyConfigured("EventType and live.EVENT_KINDS differ")


class CallEventIn(Schema):
    """One call lifecycle event from a PBX or contact-center platform."""

    model_config = ConfigDict(extra="forbid")

    client: SafeStr = Field(min_length=1, max_length=40, description="the client's code")
    call_id: SafeStr = Field(min_length=1, max_length=100, description="the PBX's call id")
    sequence: int = Field(ge=0, le=2**62, description="orders the call's events; unique per call")
    type: EventType
    at: Instant = Field(description="when it happened, with a UTC offset")
    queue: SafeStr = Field("", max_length=60)
    agent: SafeStr = Field("", max_length=100)
    caller: SafeStr = Field("", max_length=80, description="the caller's number")
    caller_name: SafeStr = Field("", max_length=100)
    dialed: SafeStr = Field("", max_length=80, description="the number the caller dialled")
    direction: Literal["inbound", "outbound"] = "inbound"
    target: SafeStr = Field("", max_length=100, description="transferred: where to")
    ended_by: Literal["", "caller", "agent"] = ""
    disposition: SafeStr = Field(
        "", max_length=60, description="the agent's wrap-up code (usually on wrapup_ended)"
    )
    recording: SafeStr = Field("", max_length=300, description="path or URL of the recording")
    transcript: SafeStr = Field("", max_length=200_000, description="card data is redacted")


class CallOut(Schema):
    id: int
    client: str
    call_id: str
    segment: int = Field(description="the call's queue visit (1, 2, … after an overflow)")
    source: str
    direction: str
    queue: str
    caller_number: str = Field(description="E.164, empty when not a phone number")
    caller_name: str
    dialed_number: str
    entered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int
    talk_seconds: int = Field(description="excludes hold")
    hold_seconds: int
    acw_seconds: int
    agent: str
    outcome: str
    disposition: str = Field(description="the agent's wrap-up code, if any")
    ended_by: str
    unanswered_rings: int
    transfer_count: int
    transfer_targets: list[str]
    has_recording: bool
    has_transcript: bool
    case_id: int | None
    contact_id: int | None = Field(description="the caller as the client's contact, if known")
    change_seq: int = Field(description="the cursor position of this version of the call")
    updated_at: datetime


class RecordedOut(Schema):
    duplicate: bool
    call: CallOut


class CallPageOut(Schema):
    calls: list[CallOut]
    next_after: int = Field(description="pass as `after` to read on")


class AgentStateOut(Schema):
    agent: str
    queue: str
    state: str
    at: datetime
    reason: str
    change_seq: int


class AgentStatePageOut(Schema):
    states: list[AgentStateOut]
    next_after: int


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class CursorQuery(Schema):
    client: SafeStr
    after: int = Field(0, ge=0, le=2**62, description="the last change_seq already read")
    limit: int = Field(100, ge=1, le=1000)


class LinkIn(Schema):
    case_id: int | None = Field(ge=1, le=2**62)


def _call_out(call: Call, client: Client | None = None) -> CallOut:
    return CallOut(
        id=call.pk,
        client=(client or call.client).code,
        call_id=call.call_id,
        segment=call.segment,
        source=call.source,
        direction=call.direction,
        queue=call.queue,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        dialed_number=call.dialed_number,
        entered_at=call.entered_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        wait_seconds=call.wait_seconds,
        talk_seconds=call.talk_seconds,
        hold_seconds=call.hold_seconds,
        acw_seconds=call.acw_seconds,
        agent=call.agent,
        outcome=call.outcome,
        disposition=call.disposition,
        ended_by=call.ended_by,
        unanswered_rings=call.unanswered_rings,
        transfer_count=call.transfer_count,
        transfer_targets=list(call.transfer_targets),
        has_recording=bool(call.recording_path),
        has_transcript=bool(call.transcript),
        case_id=call.case_id,
        contact_id=call.contact_id,
        change_seq=call.change_seq,
        updated_at=call.updated_at,
    )


def _parsed(body: bytes) -> CallEventIn:
    data = json_loads_checked(body or b"null")
    try:
        return CallEventIn.model_validate(data)
    except ValidationError as invalid:
        raise ValidationFailed(
            [
                FieldError(".".join(str(part) for part in error["loc"]) or "body", error["msg"])
                for error in invalid.errors()
            ]
        ) from None


_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": CallEventIn.model_json_schema()}},
    }
}


@router.post(
    "/calls/events",
    response={200: RecordedOut, 201: RecordedOut, 409: ErrorsOut, 422: ErrorsOut},
    openapi_extra=_EVENT_BODY,
    summary="Record a live call event (idempotent per call id and sequence)",
)
def post_call_event(request: HttpRequest) -> Status[RecordedOut]:
    event = _parsed(request.body)
    actor = api_actor(request)
    client = access_client(actor, event.client, permission=Permission.CASE_VIEW)
    payload = event.model_dump(
        exclude={"client", "call_id", "sequence", "type", "at"}, exclude_defaults=True
    )
    if event.direction != "inbound":
        payload["direction"] = event.direction
    recorded = call_event_record(
        actor=actor,
        client=client,
        event=LiveEvent(
            source=CallSource.EVENTS.value,
            call_id=event.call_id,
            sequence=event.sequence,
            kind=event.type,
            at=event.at,
            payload=payload,
        ),
    )
    out = RecordedOut(duplicate=not recorded.created, call=_call_out(recorded.call, client))
    return Status(201 if recorded.created else 200, out)


_FORM_FIELDS = (
    "CallSid",
    "AccountSid",
    "CallStatus",
    "Timestamp",
    "SequenceNumber",
    "CallDuration",
    "From",
    "To",
    "Direction",
    "ParentCallSid",
    "RecordingUrl",
)
_TWILIO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {name: {"type": "string"} for name in _FORM_FIELDS},
                    "required": ["CallSid", "CallStatus", "Timestamp", "SequenceNumber"],
                }
            }
        },
    }
}


class TwilioOut(Schema):
    duplicate: bool
    call_id: str
    outcome: str


@router.post(
    "/calls/twilio/{client_code}/status",
    auth=None,
    response={200: TwilioOut, 403: ErrorsOut, 422: ErrorsOut},
    openapi_extra=_TWILIO_BODY,
    summary="Twilio-compatible status callback (authenticated by X-Twilio-Signature)",
)
def post_twilio_status(request: HttpRequest, client_code: str) -> TwilioOut:
    # No code holds a NUL character, and PostgreSQL refuses to compare text with one.
    known = "\x00" not in client_code
    client = Client.objects.filter(code=client_code, is_active=True).first() if known else None
    # An unknown client is checked against a token no one has: the answer is the same 403.
    token = twilio_auth_token(client or Client(code=f"missing:{client_code}"))
    params = {name: request.POST.getlist(name) for name in request.POST}
    path = request.get_full_path()
    urls = {request.build_absolute_uri(), settings.SITE_URL.rstrip("/") + path}
    signature = request.headers.get("X-Twilio-Signature", "")
    if client is None or not twilio_signature_valid(token, urls, params, signature):
        raise Forbidden
    flat = {name: values[-1] for name, values in params.items()}
    recorded = twilio_status_record(client=client, params=flat)
    return TwilioOut(
        duplicate=not recorded.created,
        call_id=recorded.call.call_id,
        outcome=recorded.call.outcome,
    )


@router.get("/calls", response=CallPageOut, summary="A client's calls after a cursor")
def get_calls(request: HttpRequest, query: Query[CursorQuery]) -> CallPageOut:
    actor = api_actor(request)
    client = access_client(actor, query.client, permission=Permission.CASE_VIEW)
    calls = list(call_list(actor=actor, client=client, after=query.after, limit=query.limit))
    return CallPageOut(
        calls=[_call_out(call, client) for call in calls],
        next_after=calls[-1].change_seq if calls else query.after,
    )


@router.get(
    "/calls/agent-states", response=AgentStatePageOut, summary="Agent states after a cursor"
)
def get_agent_states(request: HttpRequest, query: Query[CursorQuery]) -> AgentStatePageOut:
    actor = api_actor(request)
    client = access_client(actor, query.client, permission=Permission.CASE_VIEW)
    states: list[AgentStateChange] = list(
        agent_state_list(actor=actor, client=client, after=query.after, limit=query.limit)
    )
    return AgentStatePageOut(
        states=[
            AgentStateOut(
                agent=s.agent,
                queue=s.queue,
                state=s.state,
                at=s.at,
                reason=s.reason,
                change_seq=s.change_seq,
            )
            for s in states
        ],
        next_after=states[-1].change_seq if states else query.after,
    )


@router.get("/calls/{int:call_pk}", response=CallOut, summary="One call")
def get_call(request: HttpRequest, call_pk: int) -> CallOut:
    return _call_out(access_call(api_actor(request), call_pk))


@router.post(
    "/calls/{int:call_pk}/case",
    response={200: CallOut, 422: ErrorsOut},
    summary="Link the call to a case of its client (or unlink it with null)",
)
def link_call(request: HttpRequest, call_pk: int, body: LinkIn) -> CallOut:
    actor = api_actor(request)
    call = access_call(actor, call_pk, for_write=True)
    case = access_case(actor, body.case_id) if body.case_id is not None else None
    if case is not None and case.client_id != call.client_id:
        raise ValidationFailed([FieldError("case_id", _("the case belongs to another client"))])
    return _call_out(call_link_case(actor=actor, call=call, case=case))

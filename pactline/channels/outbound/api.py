"""API: outbound campaigns — list and create campaigns, load a call list (CSV), take the next
number to dial, record attempts, and add numbers to a client's do-not-call list.

Seeing a campaign takes CASE_VIEW on its client; everything that changes one takes CASE_WORK.
A campaign of another client is 404, like a missing one."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

import phonenumbers
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pactline.cases.contacts import normalise_phone
from pactline.channels.outbound.access import access_call_list_entry, access_campaign
from pactline.channels.outbound.models import CallAttempt, CallListEntry, Campaign
from pactline.channels.outbound.selectors import (
    CallingWindow,
    calling_window,
    campaign_list,
    campaign_with_progress,
)
from pactline.channels.outbound.services import (
    attempt_record,
    call_list_upload,
    campaign_create,
    do_not_call_add,
    next_call,
)
from pactline.common.errors import Conflict, FieldError, NotFound, ValidationFailed
from pactline.common.inputs import SafeStr
from pactline.tenancy.access import Actor, Permission, access_client
from pactline.tenancy.http import api_actor
from pactline.tenancy.models import Client

router = Router(tags=["outbound"])

NAME_MAX = 120  # Campaign.name
CALENDAR_MAX = 60  # Campaign.calendar
NOTES_MAX = 4000
PHONE_MAX = 40
MAX_RETRY_MINUTES = 7 * 24 * 60

KindIn = Literal["follow_up", "satisfaction_survey", "proactive_outreach"]
DispositionIn = Literal[
    "reached_resolved",
    "reached_follow_up",
    "survey_completed",
    "declined",
    "no_answer",
    "busy",
    "voicemail",
    "wrong_number",
    "do_not_call",
]

_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "A CSV call list with a header line: `phone` (required), `name`, `email` and `case` "
            "(a case id of the client) optional. UTF-8 unless the Content-Type names a charset."
        ),
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "phone,name,email\n+1 212 555 0101,Ann Lee,ann@example.com\n",
            }
        },
    }
}
_LINE = re.compile(r"line (\d+)")


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class ProgressOut(Schema):
    entries: int = Field(description="numbers on the call list")
    pending: int = Field(description="still to call")
    completed: int
    exhausted: int = Field(description="attempts used up without reaching anyone")
    do_not_call: int
    attempts: int = Field(description="dials recorded")


class CallingWindowOut(Schema):
    in_force: bool = Field(description="false when no agreement is in force: nothing is dialled")
    calendar: str
    timezone: str
    open: bool
    opens_at: datetime | None = Field(description="the next opening, when closed")
    closes_at: datetime | None = Field(description="the end of the open stretch, when open")


class CampaignOut(Schema):
    id: int
    client: str
    name: str
    kind: str
    status: str
    calendar: str
    max_attempts: int
    retry_minutes: int
    created_at: datetime
    progress: ProgressOut


class CampaignDetailOut(CampaignOut):
    calling_window: CallingWindowOut


class CampaignCreatedOut(CampaignOut):
    created: bool


class CampaignIn(Schema):
    client: SafeStr | None = Field(
        None, max_length=50, description="client code; taken from the API token when omitted"
    )
    name: SafeStr = Field(..., max_length=NAME_MAX)
    kind: KindIn
    calendar: SafeStr | None = Field(
        None,
        max_length=CALENDAR_MAX,
        description="a calendar of the agreement; default `outbound`, else the phone channel's",
    )
    max_attempts: int = Field(3, ge=1, le=20, description="dials per number")
    retry_minutes: int = Field(120, ge=1, le=MAX_RETRY_MINUTES, description="between dials")


class CampaignsQuery(Schema):
    client: SafeStr | None = Field(None, max_length=50, description="only this client's campaigns")


class ListLoadOut(Schema):
    added: int = Field(description="new numbers to call")
    already_listed: int = Field(description="numbers the campaign had already")
    do_not_call: int = Field(description="new numbers on the client's do-not-call list")


class CallListQuery(Schema):
    region: SafeStr | None = Field(
        None, min_length=2, max_length=2, description="ISO country of national numbers, e.g. US"
    )


class DialOut(Schema):
    entry_id: int
    campaign_id: int
    line_number: int
    phone: str = Field(description="E.164, to dial now")
    contact_id: int
    name: str = Field(description="the contact's name")
    attempts: int = Field(description="dials recorded before this one")
    max_attempts: int
    case_id: int | None
    held_until: datetime | None = Field(description="no one else is handed the number until then")
    calling_window: CallingWindowOut


class AttemptIn(Schema):
    disposition: DispositionIn
    notes: SafeStr = Field("", max_length=NOTES_MAX)
    survey_score: int | None = Field(None, ge=0, le=10)


class EntryOut(Schema):
    id: int
    campaign_id: int
    line_number: int
    status: str
    attempts: int
    outcome: str
    next_attempt_at: datetime | None
    case_id: int | None


class AttemptOut(Schema):
    id: int
    entry_id: int
    attempted_at: datetime
    agent: str
    disposition: str
    notes: str
    survey_score: int | None
    entry: EntryOut


class DoNotCallIn(Schema):
    phone: SafeStr = Field(..., max_length=PHONE_MAX)
    region: SafeStr | None = Field(
        None, min_length=2, max_length=2, description="ISO country of a national number"
    )


class DoNotCallOut(Schema):
    client: str
    added_at: datetime
    source: str
    created: bool


# --- Helpers ---------------------------------------------------------------------------------


def _text(field: str, value: str) -> str:
    """Text input as stored: PostgreSQL refuses NUL characters, so they are refused here."""
    if "\x00" in value:
        raise ValidationFailed([FieldError(field, _("must not contain NUL characters"))])
    return value


def _region(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    region = value.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(
            [FieldError(field, _("'%(value)s' is not a country code") % {"value": value})]
        )
    return region


def _client_of(actor: Actor, code: str | None) -> Client:
    """The named client, or the token's; CASE_WORK is needed to change its campaigns."""
    if actor.token is not None:
        own = actor.token.client.code
        if code and code != own:
            raise NotFound
        code = own
    if not code:
        raise ValidationFailed([FieldError("client", _("give the client's code"))])
    return access_client(actor, code, permission=Permission.CASE_WORK)


def _window_out(window: CallingWindow) -> CallingWindowOut:
    return CallingWindowOut(
        in_force=window.in_force,
        calendar=window.calendar,
        timezone=window.timezone,
        open=window.is_open,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
    )


def _campaign_fields(campaign: Campaign) -> dict[str, Any]:
    """`campaign` must carry the progress annotations of the selectors."""
    return {
        "id": campaign.pk,
        "client": campaign.client.code,
        "name": campaign.name,
        "kind": campaign.kind,
        "status": campaign.status,
        "calendar": campaign.calendar,
        "max_attempts": campaign.max_attempts,
        "retry_minutes": campaign.retry_minutes,
        "created_at": campaign.created_at,
        "progress": ProgressOut(
            entries=campaign.n_entries,  # type: ignore[attr-defined]
            pending=campaign.n_pending,  # type: ignore[attr-defined]
            completed=campaign.n_completed,  # type: ignore[attr-defined]
            exhausted=campaign.n_exhausted,  # type: ignore[attr-defined]
            do_not_call=campaign.n_do_not_call,  # type: ignore[attr-defined]
            attempts=campaign.n_attempts,  # type: ignore[attr-defined]
        ),
    }


def _entry_out(entry: CallListEntry) -> EntryOut:
    return EntryOut(
        id=entry.pk,
        campaign_id=entry.campaign_id,
        line_number=entry.line_number,
        status=entry.status,
        attempts=entry.attempts,
        outcome=entry.outcome,
        next_attempt_at=entry.next_attempt_at,
        case_id=entry.case_id,
    )


def _csv_text(request: HttpRequest) -> str:
    charset = (request.content_params or {}).get("charset") or "utf-8"
    try:
        text = request.body.decode(charset)
    except LookupError:
        raise ValidationFailed(
            [FieldError("Content-Type", _("unknown charset '%(name)s'") % {"name": charset})]
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [
                FieldError(
                    "body",
                    _("the call list is not %(charset)s text (byte %(at)s)")
                    % {"charset": charset, "at": exc.start},
                )
            ]
        ) from None
    return text


def _with_lines(failed: ValidationFailed) -> ValidationFailed:
    """The call-list errors named `line N` also carry N as their `line`."""
    errors = []
    for error in failed.errors:
        match = _LINE.fullmatch(error.path)
        line = int(match.group(1)) if match and error.line is None else error.line
        errors.append(FieldError(error.path, error.message, line))
    return ValidationFailed(errors)


# --- Endpoints -------------------------------------------------------------------------------


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns visible to the caller")
def list_campaigns(request: HttpRequest, query: Query[CampaignsQuery]) -> list[CampaignOut]:
    actor = api_actor(request)
    client = (
        access_client(actor, query.client, permission=Permission.CASE_VIEW)
        if query.client
        else None
    )
    return [CampaignOut(**_campaign_fields(c)) for c in campaign_list(actor=actor, client=client)]


@router.post(
    "/campaigns",
    response={200: CampaignCreatedOut, 201: CampaignCreatedOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Create a campaign (idempotent on the client and name)",
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[CampaignCreatedOut]:
    actor = api_actor(request)
    client = _client_of(actor, payload.client)
    name = _text("name", payload.name).strip()
    calendar = _text("calendar", payload.calendar) if payload.calendar else None
    existing = campaign_list(actor=actor, client=client).filter(name=name).first()
    if existing is not None and (
        (existing.kind, existing.max_attempts, existing.retry_minutes)
        != (payload.kind, payload.max_attempts, payload.retry_minutes)
        or (calendar is not None and existing.calendar != calendar)
    ):
        raise Conflict(_("a campaign named '%(name)s' exists with other settings") % {"name": name})
    campaign = campaign_create(
        actor=actor,
        client=client,
        name=name,
        kind=payload.kind,
        calendar=calendar,
        max_attempts=payload.max_attempts,
        retry_minutes=payload.retry_minutes,
    )
    out = CampaignCreatedOut(
        **_campaign_fields(campaign_with_progress(campaign=campaign)), created=existing is None
    )
    return Status(200 if existing is not None else 201, out)


@router.get(
    "/campaigns/{int:campaign_id}",
    response=CampaignDetailOut,
    summary="One campaign with its progress and calling window",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    campaign = access_campaign(api_actor(request), campaign_id)
    window = calling_window(campaign=campaign, now=timezone.now())
    return CampaignDetailOut(
        **_campaign_fields(campaign_with_progress(campaign=campaign)),
        calling_window=_window_out(window),
    )


@router.post(
    "/campaigns/{int:campaign_id}/call-list",
    response={200: ListLoadOut, 422: ErrorsOut},
    openapi_extra=_CSV_BODY,
    summary="Load a CSV call list: every bad line is named and nothing is stored (idempotent)",
)
def load_call_list(
    request: HttpRequest, campaign_id: int, query: Query[CallListQuery]
) -> ListLoadOut:
    actor = api_actor(request)
    campaign = access_campaign(actor, campaign_id, for_write=True)
    region = _region("region", query.region)
    try:
        loaded = call_list_upload(
            actor=actor, campaign=campaign, csv_text=_csv_text(request), region=region
        )
    except ValidationFailed as failed:
        raise _with_lines(failed) from None
    return ListLoadOut(
        added=loaded.added, already_listed=loaded.already_listed, do_not_call=loaded.do_not_call
    )


@router.post(
    "/campaigns/{int:campaign_id}/next-call",
    response={200: DialOut, 204: None, 409: ErrorsOut},
    summary="The next number to dial (held for the caller), or 204 outside the calling window "
    "or when nothing is due",
)
def take_next_call(request: HttpRequest, campaign_id: int) -> Status[DialOut | None]:
    actor = api_actor(request)
    campaign = access_campaign(actor, campaign_id, for_write=True)
    now = timezone.now()
    entry = next_call(actor=actor, campaign=campaign, now=now)
    if entry is None:
        return Status(204, None)
    return Status(
        200,
        DialOut(
            entry_id=entry.pk,
            campaign_id=campaign.pk,
            line_number=entry.line_number,
            phone=entry.phone,
            contact_id=entry.contact_id,
            name=entry.contact.name,
            attempts=entry.attempts,
            max_attempts=campaign.max_attempts,
            case_id=entry.case_id,
            held_until=entry.next_attempt_at,
            calling_window=_window_out(calling_window(campaign=campaign, now=now)),
        ),
    )


@router.post(
    "/call-list-entries/{int:entry_id}/attempts",
    response={201: AttemptOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Record a dial and its disposition; reached customers' outcomes go to a case",
)
def record_attempt(request: HttpRequest, entry_id: int, payload: AttemptIn) -> Status[AttemptOut]:
    actor = api_actor(request)
    entry = access_call_list_entry(actor, entry_id, for_write=True)
    attempt: CallAttempt = attempt_record(
        actor=actor,
        entry=entry,
        disposition=payload.disposition,
        notes=_text("notes", payload.notes).strip(),
        survey_score=payload.survey_score,
    )
    entry.refresh_from_db()
    return Status(
        201,
        AttemptOut(
            id=attempt.pk,
            entry_id=entry.pk,
            attempted_at=attempt.attempted_at,
            agent=attempt.agent,
            disposition=attempt.disposition,
            notes=attempt.notes,
            survey_score=attempt.survey_score,
            entry=_entry_out(entry),
        ),
    )


@router.post(
    "/clients/{code}/do-not-call",
    response={200: DoNotCallOut, 201: DoNotCallOut, 422: ErrorsOut},
    summary="Put a number on the client's do-not-call list (idempotent)",
)
def add_do_not_call(request: HttpRequest, code: str, payload: DoNotCallIn) -> Status[DoNotCallOut]:
    actor = api_actor(request)
    client = access_client(actor, code, permission=Permission.CASE_WORK)
    region = _region("region", payload.region)
    phone = _text("phone", payload.phone)
    now = timezone.now()
    if region is not None:
        phone = normalise_phone(phone, region=region)
    entry = do_not_call_add(actor=actor, client=client, phone=phone, source="api", now=now)
    created = entry.added_at == now  # the service stamps a new entry with `now`
    out = DoNotCallOut(
        client=client.code, added_at=entry.added_at, source=entry.source, created=created
    )
    return Status(201 if created else 200, out)

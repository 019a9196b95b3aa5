"""Running outbound campaigns: load a call list, hand agents the next number to dial inside the
calling window, record each attempt, and attach outcomes to cases. The do-not-call list is
checked when a list is loaded and again at every dial."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import agreement_calendar, channel_spec, has_calendar
from pactline.audit.services import audit_record
from pactline.cases.contacts import contact_find_or_create, normalise_email, normalise_phone
from pactline.cases.models import Case
from pactline.cases.services import case_note, case_open
from pactline.cases.surveys import survey_response_record
from pactline.channels.outbound.models import (
    RETRY,
    CallAttempt,
    CallListEntry,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Disposition,
    DoNotCall,
    EntryStatus,
)
from pactline.common.crypto import blind_index
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.core.calendar import BusinessCalendar
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

MAX_LIST_LINES = 100_000
_REACHED = frozenset(
    {Disposition.REACHED_RESOLVED, Disposition.REACHED_FOLLOW_UP, Disposition.SURVEY_COMPLETED}
)


def _calendar(campaign: Campaign, at: datetime) -> BusinessCalendar:
    version = agreement_version_in_force(campaign.client, at)
    if version is None:
        raise Conflict(_("no agreement is in force for this client"))
    return agreement_calendar(version, campaign.calendar)


def _default_calendar(client: Client, at: datetime) -> str:
    version = agreement_version_in_force(client, at)
    if version is None:
        raise ValidationFailed(
            [FieldError("client", _("no agreement is in force for this client"))]
        )
    if has_calendar(version.terms, "outbound"):
        return "outbound"
    phone = channel_spec(version.terms, "phone")
    if phone is None:
        raise ValidationFailed([FieldError("calendar", _("the agreement has no phone channel"))])
    return str(phone.calendar)


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    client: Client,
    name: str,
    kind: str,
    calendar: str | None = None,
    max_attempts: int = 3,
    retry_minutes: int = 120,
    now: datetime | None = None,
) -> Campaign:
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    errors = []
    if kind not in CampaignKind.values:
        errors.append(
            FieldError(
                "kind",
                _("must be one of: %(choices)s") % {"choices": ", ".join(CampaignKind.values)},
            )
        )
    if not name.strip():
        errors.append(FieldError("name", _("a campaign needs a name")))
    if not 1 <= max_attempts <= 20:
        errors.append(FieldError("max_attempts", _("must be between 1 and 20")))
    version = agreement_version_in_force(client, now)
    calendar = calendar or _default_calendar(client, now)
    if version is not None and not has_calendar(version.terms, calendar):
        errors.append(
            FieldError(
                "calendar", _("the agreement has no calendar '%(name)s'") % {"name": calendar}
            )
        )
    if errors:
        raise ValidationFailed(errors)
    campaign, created = Campaign.objects.get_or_create(
        client=client,
        name=name.strip(),
        defaults={
            "kind": kind,
            "calendar": calendar,
            "max_attempts": max_attempts,
            "retry_minutes": retry_minutes,
            "created_at": now,
        },
    )
    if created:
        audit_record(
            actor=actor,
            action="campaign.created",
            client_id=client.id,
            obj=campaign,
            payload={"name": campaign.name, "kind": kind},
            at=now,
        )
    return campaign


def _do_not_call(client_id: int) -> set[str]:
    return set(DoNotCall.objects.filter(client_id=client_id).values_list("digest", flat=True))


def _rows(
    reader: csv.DictReader[str], errors: list[FieldError]
) -> Iterator[tuple[int, dict[str | Any, str | Any]]]:
    """The data rows with their line numbers; a line the csv module cannot read (a field past
    its size limit) is reported as bad and ends the reading."""
    number = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(
                FieldError(
                    f"line {number + 1}",
                    _("the line is not valid CSV: %(reason)s") % {"reason": exc},
                )
            )
            return
        number += 1
        yield number, raw


@dataclass(frozen=True)
class ListLoad:
    added: int
    already_listed: int
    do_not_call: int


@transaction.atomic
def call_list_upload(
    *,
    actor: Actor,
    campaign: Campaign,
    csv_text: str,
    region: str | None = None,
    now: datetime | None = None,
) -> ListLoad:
    """Load a CSV call list (`phone` required; `name`, `email`, `case` optional). Every bad line
    is reported with its number and nothing is stored; loading the same list again adds nothing."""
    require(actor, Permission.CASE_WORK, campaign.client_id)
    now = now or timezone.now()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    try:
        columns = {name.strip().lower() for name in reader.fieldnames or []}
    except csv.Error as exc:
        reason = _("the line is not valid CSV: %(reason)s") % {"reason": exc}
        raise ValidationFailed([FieldError("line 1", reason)]) from None
    if "phone" not in columns:
        raise ValidationFailed([FieldError("line 1", _("the header must name a 'phone' column"))])
    rows: list[tuple[int, str, dict[str, str]]] = []
    errors: list[FieldError] = []
    cases = set(Case.objects.filter(client_id=campaign.client_id).values_list("id", flat=True))
    for number, raw in _rows(reader, errors):
        if number - 1 > MAX_LIST_LINES:
            errors.append(
                FieldError(
                    f"line {number}",
                    _("a call list holds at most %(n)s numbers") % {"n": MAX_LIST_LINES},
                )
            )
            break
        row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        try:
            phone = normalise_phone(row.get("phone", ""), region=region)
        except ValidationFailed:
            errors.append(
                FieldError(
                    f"line {number}",
                    _("'%(value)s' is not a phone number") % {"value": row.get("phone", "")},
                )
            )
            continue
        email = row.get("email", "")
        if email:
            try:
                normalise_email(email)
            except ValidationFailed as failed:
                errors.append(FieldError(f"line {number}", failed.errors[0].message))
                continue
        case_ref = row.get("case", "")
        # ASCII digits only: int() refuses other digits that isdigit() accepts ("²").
        if case_ref and (
            not (case_ref.isascii() and case_ref.isdigit()) or int(case_ref) not in cases
        ):
            errors.append(
                FieldError(
                    f"line {number}",
                    _("case '%(value)s' is not a case of this client") % {"value": case_ref},
                )
            )
            continue
        rows.append((number, phone, row))
    if errors:
        raise ValidationFailed(errors)
    blocked = _do_not_call(campaign.client_id)
    listed = set(campaign.entries.values_list("phone_digest", flat=True))
    added = already = refused = 0
    for number, phone, row in rows:
        digest = blind_index("phone", phone)
        if digest in listed:
            already += 1
            continue
        listed.add(digest)
        contact = contact_find_or_create(
            actor=actor,
            client=campaign.client,
            phone=phone,
            email=row.get("email") or None,
            name=row.get("name", ""),
            now=now,
        ).contact
        status = EntryStatus.DO_NOT_CALL if digest in blocked else EntryStatus.PENDING
        refused += status == EntryStatus.DO_NOT_CALL
        added += status == EntryStatus.PENDING
        CallListEntry.objects.create(
            client_id=campaign.client_id,
            campaign=campaign,
            contact=contact,
            phone=phone,
            phone_digest=digest,
            line_number=number,
            status=status,
            case_id=int(row["case"]) if row.get("case") else None,
        )
    audit_record(
        actor=actor,
        action="campaign.list_loaded",
        client_id=campaign.client_id,
        obj=campaign,
        payload={"added": added, "already_listed": already, "do_not_call": refused},
        at=now,
    )
    return ListLoad(added, already, refused)


@transaction.atomic
def do_not_call_add(
    *, actor: Actor, client: Client, phone: str, source: str = "agent", now: datetime | None = None
) -> DoNotCall:
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    digest = blind_index("phone", normalise_phone(phone))
    entry, created = DoNotCall.objects.get_or_create(
        client=client, digest=digest, defaults={"added_at": now, "source": source}
    )
    CallListEntry.objects.filter(
        client=client, phone_digest=digest, status=EntryStatus.PENDING
    ).update(status=EntryStatus.DO_NOT_CALL)
    if created:
        audit_record(
            actor=actor,
            action="do_not_call.added",
            client_id=client.id,
            obj=entry,
            payload={"source": source},
            at=now,
        )
    return entry


@transaction.atomic
def next_call(
    *, actor: Actor, campaign: Campaign, now: datetime | None = None
) -> CallListEntry | None:
    """The next number to dial, or None outside the calling window or when nothing is due.
    The do-not-call list is checked again here: a number added since the list was loaded is
    never handed out."""
    require(actor, Permission.CASE_WORK, campaign.client_id)
    now = now or timezone.now()
    if campaign.status != CampaignStatus.ACTIVE or not _calendar(campaign, now).is_open(now):
        return None
    blocked = _do_not_call(campaign.client_id)
    due = (
        CallListEntry.objects.filter(campaign=campaign, status=EntryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "line_number")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    for entry in due[:50]:
        if entry.phone_digest in blocked:
            entry.status = EntryStatus.DO_NOT_CALL
            entry.save(update_fields=["status"])
            continue
        # Hold the number for the dialling agent; released when the attempt is recorded.
        entry.next_attempt_at = now + timedelta(minutes=15)
        entry.save(update_fields=["next_attempt_at"])
        return entry
    return None


@transaction.atomic
def attempt_record(
    *,
    actor: Actor,
    entry: CallListEntry,
    disposition: str,
    notes: str = "",
    survey_score: int | None = None,
    now: datetime | None = None,
) -> CallAttempt:
    """Record one dial and its disposition; reached customers' outcomes go to a case."""
    require(actor, Permission.CASE_WORK, entry.client_id)
    now = now or timezone.now()
    if disposition not in Disposition.values:
        raise ValidationFailed(
            [
                FieldError(
                    "disposition",
                    _("must be one of: %(choices)s") % {"choices": ", ".join(Disposition.values)},
                )
            ]
        )
    if survey_score is not None and not 0 <= survey_score <= 10:
        raise ValidationFailed([FieldError("survey_score", _("must be between 0 and 10"))])
    entry = (
        CallListEntry.objects.select_for_update()
        .select_related("campaign", "contact")
        .get(pk=entry.pk)
    )
    if entry.status != EntryStatus.PENDING:
        raise Conflict(_("this number is no longer on the call list"))
    attempt = CallAttempt.objects.create(
        client_id=entry.client_id,
        entry=entry,
        attempted_at=now,
        agent=actor.audit_label,
        disposition=disposition,
        notes=notes,
        survey_score=survey_score,
    )
    entry.attempts += 1
    entry.outcome = disposition
    if disposition in RETRY:
        if entry.attempts >= entry.campaign.max_attempts:
            entry.status = EntryStatus.EXHAUSTED
        else:
            retry = now + timedelta(minutes=entry.campaign.retry_minutes)
            entry.next_attempt_at = _calendar(entry.campaign, now).next_open(retry)
    elif disposition == Disposition.DO_NOT_CALL:
        entry.status = EntryStatus.DO_NOT_CALL
        do_not_call_add(
            actor=actor, client=entry.campaign.client, phone=entry.phone, source="customer", now=now
        )
    else:
        entry.status = EntryStatus.COMPLETED
    entry.save(update_fields=["attempts", "outcome", "status", "next_attempt_at"])
    if disposition in _REACHED or disposition == Disposition.DO_NOT_CALL:
        _attach_outcome(actor=actor, entry=entry, attempt=attempt, now=now)
    return attempt


def _attach_outcome(
    *, actor: Actor, entry: CallListEntry, attempt: CallAttempt, now: datetime
) -> None:
    label = str(Disposition(attempt.disposition).label)
    body = _("%(campaign)s: %(outcome)s") % {"campaign": entry.campaign.name, "outcome": label}
    if attempt.survey_score is not None:
        body += " · " + _("score %(score)s") % {"score": attempt.survey_score}
    if attempt.notes:
        body += f"\n{attempt.notes}"
    payload = {
        "campaign": entry.campaign_id,
        "disposition": attempt.disposition,
        "score": attempt.survey_score,
    }
    case = entry.case
    if case is None and attempt.disposition == Disposition.REACHED_FOLLOW_UP:
        case = case_open(
            actor=actor,
            client=entry.campaign.client,
            channel="phone",
            priority="normal",
            subject=entry.campaign.name,
            category="support_request",
            now=now,
        )
        Case.objects.filter(pk=case.pk).update(contact=entry.contact)
        entry.case = case
        entry.save(update_fields=["case"])
    if case is not None:
        case_note(actor=actor, case=case, body=body, payload=payload, now=now)
        if attempt.survey_score is not None:
            # The 0-10 "would you recommend us" answer: an NPS response on the case.
            survey_response_record(
                actor=actor,
                case=case,
                external_id=f"outbound-attempt:{attempt.pk}",
                nps=attempt.survey_score,
                responded_at=now,
                now=now,
            )

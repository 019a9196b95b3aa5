"""The case page's calls and materials sections as view models: the reads of the apps above
cases gathered per section, with the links each viewer's rights allow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse

from pactline.agreements.presentation.labels import duration
from pactline.cases.models import Case
from pactline.cases.presentation import case_zone
from pactline.channels.email.models import EmailAttachment, EmailMessage
from pactline.channels.email.selectors import email_thread
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.selectors import case_recordings
from pactline.channels.voice.models import Call
from pactline.channels.voice.selectors import case_calls, contact_calls
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.privacy.selectors import case_pending_requests, case_requests_of
from pactline.privacy.services import material_download_url, material_link_usable
from pactline.tenancy.access import Actor
from pactline.web.case_related.access import CaseRights, case_rights

OTHER_CALLS_SHOWN = 20


@dataclass(frozen=True)
class CallRow:
    call: Call
    talk: str
    wait: str
    other_case_id: int | None  # a call of the caller linked to another case


def _call_row(call: Call, case: Case) -> CallRow:
    other = call.case_id if call.case_id not in (None, case.pk) else None
    return CallRow(call, duration(call.talk_seconds), duration(call.wait_seconds), other)


def calls_context(case: Case) -> dict[str, Any]:
    """The calls linked to the case, and the caller's other calls (by the case's contact)."""
    return {
        "case": case,
        "zone": case_zone(case).key,
        "calls": [_call_row(call, case) for call in case_calls(case=case)],
        "other_calls": [
            _call_row(call, case) for call in contact_calls(case=case, limit=OTHER_CALLS_SHOWN)
        ],
        "has_contact": case.contact_id is not None,
    }


@dataclass(frozen=True)
class MaterialRow:
    recording: Recording
    open_url: str = ""  # the provider's recording page (transcript text, audited)
    file_url: str = ""  # the provider's direct download (audited)
    request: MaterialRequest | None = None  # the viewer's own open request
    download_url: str = ""  # the viewer's approved, unexpired, signed link
    request_url: str = ""  # where the viewer may ask for it
    waiting: int = 0  # requests awaiting a decision (for approvers)


@dataclass(frozen=True)
class EmailRow:
    message: EmailMessage
    source_url: str
    attachments: list[tuple[EmailAttachment, str]] = field(default_factory=list)


def _open_requests(
    actor: Actor, case: Case, rights: CaseRights, now: datetime
) -> dict[int, MaterialRequest]:
    """Recording id → the viewer's newest request that is pending or still downloadable."""
    found: dict[int, MaterialRequest] = {}
    if not rights.request:
        return found
    for item in case_requests_of(actor=actor, case=case):  # newest first
        usable = material_link_usable(actor, item, now)
        if item.status == RequestStatus.REQUESTED or usable:
            found.setdefault(item.recording_id, item)
    return found


def _material_row(
    actor: Actor,
    recording: Recording,
    rights: CaseRights,
    mine: MaterialRequest | None,
    waiting: int,
    now: datetime,
) -> MaterialRow:
    usable = mine is not None and material_link_usable(actor, mine, now)
    return MaterialRow(
        recording=recording,
        open_url=reverse("privacy:recording", args=[recording.pk]) if rights.work else "",
        file_url=reverse("privacy:file", args=[recording.pk]) if rights.work else "",
        request=mine,
        download_url=(
            material_download_url(actor=actor, request=mine, now=now)
            if mine is not None and usable
            else ""
        ),
        request_url=(
            reverse("privacy:request", args=[recording.pk])
            if rights.request and mine is None
            else ""
        ),
        waiting=waiting,
    )


def materials_context(actor: Actor, case: Case, *, now: datetime) -> dict[str, Any]:
    """The case's recordings and transcripts with the viewer's actions, and (for who works
    the case) its email sources and attachments."""
    rights = case_rights(actor, case)
    mine = _open_requests(actor, case, rights, now)
    waiting = case_pending_requests(case=case) if rights.approve else {}
    rows = [
        _material_row(
            actor, recording, rights, mine.get(recording.pk), waiting.get(recording.pk, 0), now
        )
        for recording in case_recordings(case=case)
    ]
    emails = (
        [
            EmailRow(
                message,
                reverse("channels_email:source", args=[message.pk]),
                [
                    (attachment, reverse("channels_email:attachment", args=[attachment.pk]))
                    for attachment in message.attachments.all()
                ],
            )
            for message in email_thread(case)
        ]
        if rights.work
        else []
    )
    return {
        "case": case,
        "rights": rights,
        "rows": rows,
        "emails": emails,
        "attach_url": reverse("privacy:attach", args=[case.pk]) if rights.work else "",
        "client_materials_url": (
            reverse("privacy:client-materials", args=[case.client.code]) if rights.request else ""
        ),
        "desk_url": reverse("privacy:desk") if rights.approve else "",
        "back_url": reverse("cases:case", args=[case.pk]),
        "zone": case_zone(case).key,
    }

"""Writes for calls: file imports, live events, Twilio callbacks, linking a call to a case.

Ingestion writes facts only: it never calls metrics or billing, which read calls by cursor
(`selectors.call_list`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pactline.audit.sequences import Stream, change_sequence
from pactline.audit.services import audit_record
from pactline.cases.models import Case
from pactline.cases.services import case_customer_contact
from pactline.channels.voice.importing import (
    ImportOptions,
    ImportRejected,
    voice_file_import,
)
from pactline.channels.voice.live import LiveEvent, Recorded, call_event_record
from pactline.channels.voice.models import Call, Direction
from pactline.channels.voice.twilio import twilio_event
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, require, system_actor
from pactline.tenancy.models import Client

__all__ = [
    "ImportOptions",
    "ImportRejected",
    "LiveEvent",
    "Recorded",
    "call_event_record",
    "call_link_case",
    "twilio_status_record",
    "voice_file_import",
]


def twilio_status_record(
    *, client: Client, params: Mapping[str, str], now: datetime | None = None
) -> Recorded:
    """A Twilio status callback whose signature the caller has verified."""
    return call_event_record(
        actor=system_actor("twilio"), client=client, event=twilio_event(params), now=now
    )


@transaction.atomic
def call_link_case(
    *, actor: Actor, call: Call, case: Case | None, now: datetime | None = None
) -> Call:
    """Attach the call to one of its client's cases (or detach it). The call gets a new
    change number, so consumers see the link. A call without a contact takes the case's."""
    require(actor, Permission.CASE_WORK, call.client_id)
    if case is not None and case.client_id != call.client_id:
        raise NotFound
    now = now or timezone.now()
    sequence = change_sequence(call.client_id, Stream.VOICE)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.case_id == (case.pk if case else None):
        return call
    call.case = case
    if call.contact_id is None and case is not None and case.contact_id is not None:
        call.contact_id = case.contact_id
    call.change_seq = sequence.take(1)
    call.updated_at = now
    call.save(update_fields=["case", "contact", "change_seq", "updated_at"])
    if case is not None and call.direction == Direction.INBOUND:
        # The customer called about the case: a case waiting on them opens.
        case_customer_contact(
            actor=actor, case=case, at=call.entered_at or call.answered_at or now, now=now
        )
    audit_record(
        actor=actor,
        action="voice.call_linked",
        client_id=call.client_id,
        obj=call,
        payload={"call_id": call.call_id, "case": case.pk if case else None},
        at=now,
    )
    return call

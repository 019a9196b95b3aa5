"""Outbound campaigns on Northwind's agreement: calls only inside New York business hours
(Mon–Fri 08:00–20:00, Sat 09:00–17:00), the do-not-call list always honoured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from pactline.audit.models import AuditEvent
from pactline.cases.models import Case, EntryKind
from pactline.cases.tests.fixtures import northwind
from pactline.channels.outbound.models import CallListEntry, Campaign, EntryStatus
from pactline.channels.outbound.services import (
    attempt_record,
    call_list_upload,
    campaign_create,
    do_not_call_add,
    next_call,
)
from pactline.common.errors import ValidationFailed
from pactline.tenancy.access import system_actor

pytestmark = pytest.mark.django_db

ACTOR = system_actor("test")
MONDAY_9AM_NY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
SUNDAY_NIGHT_NY = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Sun 22:00 EST: closed

LIST = "phone,name,email\n+1 212 555 0101,Ann Lee,ann@example.com\n+1 212 555 0102,Bo Chen,\n+1 646 555 0103,Cy Diaz,\n"


def _campaign() -> Campaign:
    return campaign_create(
        actor=ACTOR,
        client=northwind(),
        name="March follow-ups",
        kind="follow_up",
        max_attempts=2,
        retry_minutes=120,
        now=MONDAY_9AM_NY,
    )


def test_a_call_list_loads_once_and_uses_the_phone_calendar() -> None:
    campaign = _campaign()
    assert campaign.calendar == "business"
    first = call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    again = call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    assert (first.added, first.already_listed) == (3, 0)
    assert (again.added, again.already_listed) == (0, 3)
    assert [e.line_number for e in CallListEntry.objects.all()] == [2, 3, 4]


def test_a_bad_list_names_every_bad_line_and_stores_nothing() -> None:
    campaign = _campaign()
    text = "phone,name,case\n+1 212 555 0101,Ann,\nnot a number,Bo,\n+1 212 555 0102,Cy,99999\n"
    with translation.override("en"), pytest.raises(ValidationFailed) as raised:
        call_list_upload(actor=ACTOR, campaign=campaign, csv_text=text, now=MONDAY_9AM_NY)
    assert [(e.path, e.message) for e in raised.value.errors] == [
        ("line 3", "'not a number' is not a phone number"),
        ("line 4", "case '99999' is not a case of this client"),
    ]
    assert CallListEntry.objects.count() == 0
    with pytest.raises(ValidationFailed) as raised:
        call_list_upload(actor=ACTOR, campaign=campaign, csv_text="name\nAnn\n", now=MONDAY_9AM_NY)
    assert [e.path for e in raised.value.errors] == ["line 1"]


def test_the_do_not_call_list_is_honoured_at_load_and_at_dial() -> None:
    campaign = _campaign()
    do_not_call_add(actor=ACTOR, client=campaign.client, phone="+12125550101", now=MONDAY_9AM_NY)
    loaded = call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    assert (loaded.added, loaded.do_not_call) == (2, 1)
    do_not_call_add(actor=ACTOR, client=campaign.client, phone="+1 212 555 0102", now=MONDAY_9AM_NY)
    dialled = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    assert dialled is not None and dialled.phone == "+16465550103"
    assert set(CallListEntry.objects.values_list("status", flat=True)) == {
        EntryStatus.DO_NOT_CALL,
        EntryStatus.PENDING,
    }


def test_numbers_are_handed_out_only_inside_the_calling_window() -> None:
    campaign = _campaign()
    call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    assert next_call(actor=ACTOR, campaign=campaign, now=SUNDAY_NIGHT_NY) is None
    first = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    second = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    assert first is not None and second is not None
    assert (first.line_number, second.line_number) == (2, 3)  # a handed-out number is held


def test_unanswered_numbers_are_retried_in_hours_then_exhausted() -> None:
    campaign = _campaign()
    call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    evening = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # Mon 19:30 EST
    entry = next_call(actor=ACTOR, campaign=campaign, now=evening)
    assert entry is not None
    attempt_record(actor=ACTOR, entry=entry, disposition="no_answer", now=evening)
    entry.refresh_from_db()
    # 2 h later is 21:30, after closing: the retry waits for Tuesday 08:00 EST
    assert entry.next_attempt_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    attempt_record(actor=ACTOR, entry=entry, disposition="busy", now=entry.next_attempt_at)
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == (EntryStatus.EXHAUSTED, 2)


def test_outcomes_go_to_cases() -> None:
    campaign = _campaign()
    call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    entry = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    assert entry is not None
    attempt_record(
        actor=ACTOR,
        entry=entry,
        disposition="reached_follow_up",
        notes="Wants a callback",
        now=MONDAY_9AM_NY,
    )
    entry.refresh_from_db()
    case = Case.objects.get(pk=entry.case_id)
    assert (case.channel, case.contact_id) == ("phone", entry.contact_id)
    note = case.timeline.get(kind=EntryKind.NOTE)
    assert note.body == "March follow-ups: Reached, needs follow-up\nWants a callback"
    assert AuditEvent.objects.filter(action="case.opened").count() == 1


def test_a_customer_who_opts_out_is_never_called_again() -> None:
    campaign = _campaign()
    call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    entry = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    assert entry is not None
    attempt_record(actor=ACTOR, entry=entry, disposition="do_not_call", now=MONDAY_9AM_NY)
    other = campaign_create(
        actor=ACTOR,
        client=campaign.client,
        name="Survey",
        kind="satisfaction_survey",
        now=MONDAY_9AM_NY,
    )
    loaded = call_list_upload(
        actor=ACTOR, campaign=other, csv_text=LIST, now=MONDAY_9AM_NY + timedelta(days=1)
    )
    assert loaded.do_not_call == 1


def test_bad_campaign_settings_are_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        campaign_create(
            actor=ACTOR,
            client=northwind(),
            name="",
            kind="cold_calls",
            max_attempts=0,
            calendar="nights",
            now=MONDAY_9AM_NY,
        )
    assert sorted(e.path for e in raised.value.errors) == [
        "calendar",
        "kind",
        "max_attempts",
        "name",
    ]
    assert Campaign.objects.count() == 0


def test_a_survey_score_becomes_an_nps_response_on_the_case() -> None:
    from pactline.cases.models import SurveyResponse

    campaign = _campaign()
    call_list_upload(actor=ACTOR, campaign=campaign, csv_text=LIST, now=MONDAY_9AM_NY)
    entry = next_call(actor=ACTOR, campaign=campaign, now=MONDAY_9AM_NY)
    assert entry is not None
    attempt = attempt_record(
        actor=ACTOR, entry=entry, disposition="reached_follow_up", survey_score=9, now=MONDAY_9AM_NY
    )
    entry.refresh_from_db()
    response = SurveyResponse.objects.get()
    assert (response.case_id, response.nps, response.csat) == (entry.case_id, 9, None)
    assert response.external_id == f"outbound-attempt:{attempt.pk}"
    assert response.responded_at == MONDAY_9AM_NY

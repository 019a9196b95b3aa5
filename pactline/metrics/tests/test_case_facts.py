"""Cases and surveys in the rollups: arrival, first response, resolution, clocks, FCR
repeats and survey answers, kept current as cases change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pactline.cases.contacts import contact_find_or_create
from pactline.cases.services import case_agent_reply, case_open, case_reopen, case_resolve
from pactline.cases.surveys import survey_response_record
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.core.kpi import fcr
from pactline.metrics.consumer import consume_all
from pactline.metrics.selectors import Filter, measured_between
from pactline.metrics.tests.support import SYSTEM

pytestmark = pytest.mark.django_db

T0 = MONDAY_9AM_NY
WEEK = (T0 - timedelta(hours=10), T0 + timedelta(days=7))
EMAIL = Filter(channels=("email",))


def _case(client, contact, at, category="billing_inquiry"):  # type: ignore[no-untyped-def]
    return case_open(
        actor=SYSTEM,
        client=client,
        channel="email",
        priority="normal",
        category=category,
        contact=contact,
        at=at,
        now=at,
    )


def test_a_case_life_in_the_rollups() -> None:
    client = northwind()
    contact = contact_find_or_create(actor=SYSTEM, client=client, email="ann@example.com").contact
    first = _case(client, contact, T0)
    case_agent_reply(actor=SYSTEM, case=first, now=T0 + timedelta(minutes=30))
    case_resolve(actor=SYSTEM, case=first, first_contact=True, now=T0 + timedelta(hours=2))
    survey_response_record(
        actor=SYSTEM,
        case=first,
        external_id="s-1",
        csat=5,
        nps=10,
        resolved=True,
        now=T0 + timedelta(hours=3),
    )
    other = _case(client, None, T0 + timedelta(hours=1), category="inquiry")
    assert consume_all() == 2 + 1
    m = measured_between(client.id, *WEEK, EMAIL)
    measures = m.measures
    assert (measures.offered, measures.handled, measures.first_responses) == (2, 1, 1)
    assert (measures.first_responses_within, measures.first_response_calendar_seconds) == (1, 1800)
    assert measures.first_response_business_seconds == 1800  # 09:00-09:30, inside hours
    assert (measures.resolutions, measures.resolutions_within) == (1, 1)
    assert measures.resolution_calendar_seconds == 7200
    assert (measures.fcr_contacts, measures.fcr_repeats) == (1, 0)
    assert (measures.fcr_disposition_total, measures.fcr_disposition_resolved) == (1, 1)
    assert (measures.csat_responses, measures.csat_top2, measures.csat_score_sum) == (1, 1, 5)
    assert (measures.nps_promoters, measures.fcr_survey_yes) == (1, 1)
    assert m.clocks["email.first_response"].met == 1
    # The other case was never answered nor resolved: both its clocks ran past due, missed.
    assert (m.clocks["email.first_response"].stopped, m.clocks["email.resolution"].met) == (2, 1)
    assert m.clocks["email.resolution"].stopped == 2
    # The same customer writes again on the same issue three days later: a repeat contact,
    # which re-derives the first case although it did not change itself.
    _case(client, contact, T0 + timedelta(days=3))
    consume_all()
    measures = measured_between(client.id, *WEEK, EMAIL).measures
    assert (measures.offered, measures.fcr_contacts, measures.fcr_repeats) == (3, 2, 1)
    assert fcr(measures, method="repeat_contact", window_days=7).value == 50
    # Reopening takes the resolution back out of the rollups until it is resolved again.
    case_reopen(actor=SYSTEM, case=first, now=T0 + timedelta(days=4))
    consume_all()
    assert measured_between(client.id, *WEEK, EMAIL).measures.resolutions == 0
    assert other.pk  # a case without a contact counts as offered but not for FCR

"""A customer's word resumes what waits on them: a case in `pending_customer` opens again
when the customer writes or calls, on every channel, with a timeline entry, and the clocks
its status paused run again (the pause is not counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pactline.cases.contacts import contact_find_or_create
from pactline.cases.models import Case, CaseStatus, ClockStatus, EntryKind, SlaClock
from pactline.cases.services import case_agent_reply, case_open, case_set_status
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.channels.chat.services import chat_message_add, chat_session_start
from pactline.channels.email.services import email_receive
from pactline.channels.email.tests.conftest import eml
from pactline.channels.social.services import Inbound, social_message_receive
from pactline.channels.voice.importing import ImportOptions, voice_file_import
from pactline.channels.voice.models import Call
from pactline.channels.voice.services import call_link_case
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

SYSTEM = system_actor("test")
T0 = MONDAY_9AM_NY  # 09:00 in New York, inside Northwind's hours (08:00-20:00)
HOUR = timedelta(hours=1)


def _wait_on_customer(case: Case, at: datetime) -> Case:
    case_agent_reply(actor=SYSTEM, case=case, body="Could you send a photo?", at=at, now=at)
    return case_set_status(
        actor=SYSTEM, case=case, status=CaseStatus.PENDING_CUSTOMER, at=at, now=at
    )


def _resolution(case: Case) -> SlaClock:
    return SlaClock.objects.get(case=case, key=f"{case.channel}.resolution", cycle=1)


def _assert_resumed(case: Case, at: datetime) -> None:
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    entry = case.timeline.filter(kind=EntryKind.STATUS_CHANGE).order_by("-seq").first()
    assert entry is not None
    assert (entry.status, entry.at, entry.payload) == (
        CaseStatus.OPEN,
        at,
        {"reason": "customer_replied"},
    )


def test_an_email_reply_opens_the_case_and_resumes_its_resolution_clock() -> None:
    client = northwind()
    email_receive(
        actor=SYSTEM,
        raw=eml("plain.eml"),
        mail_from="",
        rcpt_tos=["care@northwind-retail.example"],
        now=T0,
    )
    case = Case.objects.get(client=client)
    _wait_on_customer(case, T0 + HOUR)
    paused = _resolution(case)
    assert paused.state == ClockStatus.PAUSED
    assert paused.consumed_seconds == 3600
    email_receive(
        actor=SYSTEM,
        raw=eml("reply_in_reply_to.eml"),
        mail_from="",
        rcpt_tos=["care@northwind-retail.example"],
        now=T0 + 3 * HOUR,
    )
    _assert_resumed(case, T0 + 3 * HOUR)
    clock = _resolution(case)
    assert clock.state == ClockStatus.RUNNING
    assert clock.consumed_seconds == 3600  # the two hours waiting on the customer not counted
    # Three business days of 12 h (08:00-20:00) from 09:00 Monday, plus the two paused hours.
    assert clock.due_at == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


def test_a_chat_message_opens_the_case() -> None:
    client = northwind()
    started = chat_session_start(
        actor=SYSTEM, client=client, customer_name="Ada", first_message="Hi", at=T0, now=T0
    )
    case = started.session.case
    _wait_on_customer(case, T0 + timedelta(minutes=5))
    chat_message_add(
        actor=SYSTEM,
        session=started.session,
        author_kind="customer",
        text="Here is the order number",
        at=T0 + timedelta(minutes=20),
        now=T0 + timedelta(minutes=20),
    )
    _assert_resumed(case, T0 + timedelta(minutes=20))


def test_a_social_message_opens_the_case() -> None:
    client = northwind()

    def inbound(message_id: str, at: datetime) -> Inbound:
        return Inbound(
            platform="facebook",
            account="facebook:NorthwindRetail",
            thread_id="t-1",
            message_id=message_id,
            author_id="fb-7",
            author_name="Ann",
            text="Still broken",
            sent_at=at,
        )

    stored = social_message_receive(actor=SYSTEM, client=client, inbound=inbound("m-1", T0), now=T0)
    case = stored.message.case
    _wait_on_customer(case, T0 + HOUR)
    later = T0 + 2 * HOUR
    social_message_receive(actor=SYSTEM, client=client, inbound=inbound("m-2", later), now=later)
    _assert_resumed(case, later)


def _import_call(
    client: Client, path: Path, call_id: str, entered: datetime, caller: str = "15551230000"
) -> None:
    """One call answered after 5 s and talked for 60 s, in Asterisk's queue_log."""
    t = int(entered.timestamp())
    head = f"{call_id}|support"
    path.write_text(
        f"{t}|{head}|NONE|ENTERQUEUE||{caller}|1\n"
        f"{t + 5}|{head}|Alice|CONNECT|5|{t}.9|2\n"
        f"{t + 65}|{head}|Alice|COMPLETECALLER|5|60|1\n",
        encoding="utf-8",
    )
    voice_file_import(
        actor=SYSTEM,
        client=client,
        options=ImportOptions(path=path, format="queue_log", timezone="UTC"),
    )


def _phone_case(client: Client) -> Case:
    contact = contact_find_or_create(
        actor=SYSTEM, client=client, email="ann@example.com", phone="+15551230000"
    ).contact
    case = case_open(
        actor=SYSTEM,
        client=client,
        channel="email",
        priority="normal",
        contact=contact,
        at=T0,
        now=T0,
    )
    return _wait_on_customer(case, T0 + HOUR)


def test_a_call_from_the_customer_opens_their_waiting_case(tmp_path: Path) -> None:
    client = northwind()
    case = _phone_case(client)
    called = T0 + 2 * HOUR
    _import_call(client, tmp_path / "queue_log", "c-1", called)
    assert Call.objects.get().case_id == case.pk
    _assert_resumed(case, called)


def test_a_call_linked_by_an_agent_opens_the_case_but_an_earlier_call_does_not(
    tmp_path: Path,
) -> None:
    client = northwind()
    case = _phone_case(client)
    _import_call(client, tmp_path / "early", "c-0", T0 + timedelta(minutes=30), "15550000000")
    early = Call.objects.get()
    call_link_case(actor=SYSTEM, call=early, case=case, now=T0 + 3 * HOUR)
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_CUSTOMER  # it called before the case waited
    _import_call(client, tmp_path / "later", "c-2", T0 + 2 * HOUR, "15550000000")
    late = Call.objects.get(call_id="c-2")
    call_link_case(actor=SYSTEM, call=late, case=case, now=T0 + 3 * HOUR)
    _assert_resumed(case, T0 + 2 * HOUR)

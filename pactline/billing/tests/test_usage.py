"""Usage records from calls, cases and agent states, with exact expected rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pactline.billing.consumer import usage_consume_all
from pactline.billing.models import UsageRecord
from pactline.billing.tests.support import (
    SYSTEM,
    TUESDAY_10AM_ADELAIDE,
    agent_state,
    call,
    kestrel,
    records,
)
from pactline.billing.usage import agent_key, diversion_class
from pactline.cases.services import case_open, case_reopen, case_resolve
from pactline.cases.tests.fixtures import load_example, northwind

pytestmark = pytest.mark.django_db

T = TUESDAY_10AM_ADELAIDE
INBOUND = "Inbound handled minutes"
OUTBOUND = "Outbound campaign minutes"


def _call_row(**fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "source": "call",
        "part": "leg",
        "kind": "call_leg",
        "channel": "phone",
        "direction": "inbound",
        "queue": "support",
        "number": "+61885550100",
        "agent": "Alice",
        "leg": 0,
        "handled": True,
        "event": "",
        "talk_seconds": 0,
        "hold_seconds": 0,
        "acw_seconds": 0,
        "productive_seconds": 0,
        "logged_seconds": 0,
        "training_seconds": 0,
        "outside_hours": False,
        "diverted_to": "",
    }
    row.update(fields)
    return row


def test_calls_become_legs_with_service_type_price_item_and_hours() -> None:
    client = kestrel()
    call(client, "c1", T, queue="support", talk=300, hold=20, acw=30)
    call(client, "c1", T + timedelta(minutes=6), segment=2, queue="faults", talk=60)
    call(
        client,
        "c2",
        T + timedelta(minutes=1),
        queue="",
        dialled="1800555011",
        outcome="abandoned",
        agent="",
    )
    call(
        client,
        "o1",
        T + timedelta(minutes=2),
        direction="outbound",
        queue="",
        dialled="0412345678",
        talk=120,
        agent="Bob",
        targets=["0412345679"],
    )
    # Sunday 13 September, 10:00 in Adelaide: the contact centre is closed on Sundays.
    sunday = datetime(2026, 9, 13, 0, 30, tzinfo=UTC)
    call(client, "s1", sunday, queue="overflow", talk=45)

    assert usage_consume_all() == 5
    version = UsageRecord.objects.filter(client=client).first().agreement_version  # type: ignore[union-attr]
    assert version.client_id == client.id
    rows = [
        {k: v for k, v in row.items() if k != "agreement_version_id"} for row in records(client)
    ]
    assert rows == [
        _call_row(
            at=T,
            call_id="c1",
            price_item=INBOUND,
            service_type="inbound_support",
            talk_seconds=300,
            hold_seconds=20,
            acw_seconds=30,
        ),
        # The free-call number maps to troubleshooting; unanswered, so not handled.
        _call_row(
            at=T + timedelta(minutes=1),
            call_id="c2",
            price_item=INBOUND,
            service_type="troubleshooting",
            queue="",
            number="+611800555011",
            agent="",
            handled=False,
        ),
        # Outbound: the dialled customer is no diversion, whatever the targets say.
        _call_row(
            at=T + timedelta(minutes=2),
            call_id="o1",
            price_item=OUTBOUND,
            service_type="outbound_calling",
            direction="outbound",
            queue="",
            number="+61412345678",
            agent="Bob",
            talk_seconds=120,
        ),
        _call_row(
            at=T + timedelta(minutes=6),
            call_id="c1",
            leg=1,
            price_item=INBOUND,
            service_type="troubleshooting",
            queue="faults",
            talk_seconds=60,
        ),
        # An unmapped queue falls to the default service type.
        _call_row(
            at=sunday,
            call_id="s1",
            price_item=INBOUND,
            service_type="inbound_support",
            queue="overflow",
            talk_seconds=45,
            outside_hours=True,
        ),
    ]


def test_a_call_before_any_agreement_in_force_has_no_usage() -> None:
    client = kestrel()  # effective 1 July 2026 in Adelaide
    call(client, "early", datetime(2026, 6, 1, tzinfo=UTC), talk=60)
    assert usage_consume_all() == 1
    assert records(client) == []


def test_forwarding_to_outside_numbers_is_classed_against_the_home_region() -> None:
    assert diversion_class("0412345678@from-internal", "AU") == "mobile"
    assert diversion_class("+442079460018", "AU") == "international"
    assert diversion_class("0044 20 7946 0018", "AU") == "international"
    assert diversion_class("0885550199@from-internal", "AU") == "landline"
    assert diversion_class("Bob", "AU") == ""
    assert diversion_class("1001@agents", "AU") == ""  # an extension
    assert diversion_class("SIP/trunk-0001", "AU") == ""


def test_cases_give_created_and_first_resolved_tickets() -> None:
    client = kestrel()
    case = case_open(
        actor=SYSTEM,
        client=client,
        channel="email",
        priority="standard",
        category="complaint",
        at=T,
        now=T,
    )
    resolved = T + timedelta(hours=2)
    case_resolve(actor=SYSTEM, case=case, at=resolved, now=resolved)
    later = T + timedelta(days=1)
    case_reopen(actor=SYSTEM, case=case, at=later, now=later)
    case_resolve(actor=SYSTEM, case=case, at=later + timedelta(hours=1), now=later)
    usage_consume_all()
    ticket = {
        "source": "case",
        "kind": "ticket",
        "channel": "email",
        "service_type": "complaint_handling",
        "direction": "",
        "queue": "",
        "number": "",
        "agent": "",
        "call_id": "",
        "leg": 0,
        "handled": False,
        "talk_seconds": 0,
        "hold_seconds": 0,
        "acw_seconds": 0,
        "productive_seconds": 0,
        "logged_seconds": 0,
        "training_seconds": 0,
        "outside_hours": False,
        "diverted_to": "",
    }
    rows = [
        {k: v for k, v in row.items() if k != "agreement_version_id"} for row in records(client)
    ]
    assert rows == [
        # No item counts created tickets: shown, never billed.
        {**ticket, "part": "created", "event": "created", "at": T, "price_item": ""},
        {
            **ticket,
            "part": "resolved",
            "event": "resolved",
            "at": resolved,
            "price_item": "Chat and email contacts",
        },
    ]


def test_agent_hours_per_local_day_with_training_and_a_late_state() -> None:
    client = northwind()  # New York, EST (UTC-5) in early March
    day = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tuesday 09:00 in New York

    def at(hours: float) -> datetime:
        return day + timedelta(hours=hours)

    agent_state(client, "Alice", "login", at(0))
    agent_state(client, "Alice", "pause", at(1), reason="Training")
    agent_state(client, "Alice", "unpause", at(2))
    agent_state(client, "Alice", "pause", at(3), reason="Lunch")
    agent_state(client, "Alice", "unpause", at(3.5))
    agent_state(client, "Alice", "logout", at(8))
    # Bob works 22:00 to 02:00 as a queue member: two local days of two hours.
    agent_state(client, "Bob", "member_added", at(13), queue="support")
    agent_state(client, "Bob", "member_removed", at(17), queue="support")
    usage_consume_all()

    item = "Inbound and virtual assistance agent hours"
    hours = {
        "source": "agent_state",
        "kind": "agent_hours",
        "channel": "phone",
        "service_type": "inbound_support",
        "price_item": item,
        "event": "",
        "direction": "",
        "queue": "",
        "number": "",
        "call_id": "",
        "leg": 0,
        "handled": False,
        "talk_seconds": 0,
        "hold_seconds": 0,
        "acw_seconds": 0,
        "diverted_to": "",
    }
    rows = [
        {k: v for k, v in row.items() if k != "agreement_version_id"} for row in records(client)
    ]
    alice = {
        **hours,
        "agent": "Alice",
        "part": "2026-03-03",
        "at": at(0),
        "logged_seconds": 28800,
        "productive_seconds": 23400,
        "training_seconds": 3600,
        "outside_hours": False,
    }
    bob_tuesday = {
        **hours,
        "agent": "Bob",
        "part": "2026-03-03",
        "at": at(13),
        "logged_seconds": 7200,
        "productive_seconds": 7200,
        "training_seconds": 0,
        "outside_hours": True,
    }
    bob_wednesday = {**bob_tuesday, "part": "2026-03-04", "at": at(15)}
    assert rows == [alice, bob_tuesday, bob_wednesday]
    ids = dict(
        UsageRecord.objects.filter(client=client).values_list("agent", "source_id").distinct()
    )
    assert ids == {"Alice": agent_key("Alice"), "Bob": agent_key("Bob")}
    assert agent_key("Alice") == agent_key("Alice") != agent_key("alice")
    bob_pks = set(UsageRecord.objects.filter(agent="Bob").values_list("pk", flat=True))

    # A late import adds half an hour of training to Alice's afternoon: only her day changes.
    agent_state(client, "Alice", "pause", at(6), reason="training session")
    agent_state(client, "Alice", "unpause", at(6.5))
    assert usage_consume_all() == 2
    rows = [
        {k: v for k, v in row.items() if k != "agreement_version_id"} for row in records(client)
    ]
    assert rows == [
        {**alice, "productive_seconds": 21600, "training_seconds": 5400},
        bob_tuesday,
        bob_wednesday,
    ]
    assert set(UsageRecord.objects.filter(agent="Bob").values_list("pk", flat=True)) == bob_pks


def test_an_open_stretch_counts_when_it_closes() -> None:
    client = northwind()
    start = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    agent_state(client, "Carol", "login", start)
    usage_consume_all()
    assert records(client) == []
    agent_state(client, "Carol", "logout", start + timedelta(minutes=90))
    usage_consume_all()
    assert [(r["part"], r["logged_seconds"]) for r in records(client)] == [("2026-03-03", 5400)]


def test_per_call_items_rate_calls_and_agreements_without_a_surcharge_judge_no_hours() -> None:
    client = load_example("customer-service-zh").client  # Shanghai, no after-hours surcharge
    sunday_night = datetime(2026, 9, 13, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    call(client, "z1", sunday_night, queue="complaints", dialled="4008001234", talk=60)
    usage_consume_all()
    (row,) = records(client)
    assert (row["price_item"], row["service_type"], row["outside_hours"], row["number"]) == (
        "电话热线接听（按通计费）",
        "complaint_handling",
        False,
        "+864008001234",
    )

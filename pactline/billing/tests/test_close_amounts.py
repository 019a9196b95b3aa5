"""Month close under each example agreement, with amounts worked by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from conftest import World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import example_data
from pactline.billing.close import CloseOutcome, month_close
from pactline.billing.credits import credit_exclusion_record
from pactline.billing.documents import invoice_pdf
from pactline.billing.models import (
    DiversionEntry,
    DiversionEntryKind,
    DocumentKind,
    DocumentStatus,
    Invoice,
    UsageKind,
)
from pactline.billing.tests.close_support import (
    Loaded,
    call,
    level,
    loaded,
    met,
    record,
    statement,
    ticket,
    tickets,
)
from pactline.tenancy.access import system_actor
from pactline.tenancy.tests.holders import hold_escalation_roles

pytestmark = pytest.mark.django_db


def _cents(amount: Decimal) -> str:
    """Two places when that is exact (the column stores six), else every digit."""
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else str(amount)


def _lines(invoice: Invoice) -> list[tuple[str, str, str, int]]:
    return [
        (line.item, line.clause, _cents(line.amount), line.usage_count)
        for line in invoice.lines.order_by("position")
    ]


# --- Per minute, AUD, 30/6 per call, GST 10 percent exclusive -----------------------------------

INBOUND = "Inbound handled minutes"
OUTBOUND = "Outbound campaign minutes"
CONTACTS = "Chat and email contacts"
KESTREL_LEVELS = [
    met("phone.answer_within"),
    met("phone.emergency_answer"),
    met("phone.abandon_rate", "5", "<="),
    met("email.first_response"),
]
AUG_10 = datetime(2026, 8, 10, 1, 0, tzinfo=UTC)  # 10:30 in Adelaide
AUG_10_NIGHT = datetime(2026, 8, 10, 13, 0, tzinfo=UTC)  # 22:30 in Adelaide
SEP_2 = datetime(2026, 9, 2, 0, 0, tzinfo=UTC)


def kestrel_august() -> Loaded:
    """Three inbound calls: 100+20+15 = 135 s bills 30 + ceil(105/6)*6 = 138 s; two legs of
    10 s and 12 s make one call of 22 s, billed the 30 s minimum; 31 s after hours bills 36 s.
    204 s = 3.4 min at 1.45 = 4.93; after hours 36 s = 0.6 min at 1.45 = 0.87, 35 percent of
    it = 0.3045 -> 0.30. Outbound 61 s at 60/60 bills 120 s = 2 min at 1.20 = 2.40. Three
    resolved emails at 4.75 = 14.25 (a created event is not billed). The 12 s leg diverted to
    a mobile bills 30 s at the fee's 30/6: 0.5 min at 0.28 = 0.14.
    Subtotal 22.02; GST 10 percent = 2.202 -> 2.20; total 24.22."""
    at = loaded("call-centre-per-minute")
    t = "inbound_support"
    call(
        at,
        AUG_10,
        INBOUND,
        call_id="a",
        service_type=t,
        talk_seconds=100,
        hold_seconds=20,
        acw_seconds=15,
    )
    call(at, AUG_10, INBOUND, call_id="b", service_type=t, talk_seconds=10)
    call(
        at,
        AUG_10,
        INBOUND,
        call_id="b",
        service_type=t,
        talk_seconds=12,
        leg=1,
        part="leg1",
        diverted_to="mobile",
    )
    call(
        at, AUG_10_NIGHT, INBOUND, call_id="c", service_type=t, talk_seconds=31, outside_hours=True
    )
    call(
        at,
        AUG_10,
        OUTBOUND,
        call_id="d",
        service_type="outbound_calling",
        direction="outbound",
        talk_seconds=61,
    )
    for _ in range(3):
        ticket(at, AUG_10, CONTACTS, "email")
    ticket(at, AUG_10, CONTACTS, "email", event="created")
    statement(at, date(2026, 8, 1), KESTREL_LEVELS, issued_at=SEP_2)
    return at


def test_per_minute_month_with_30_6_rounding_and_gst(world: World) -> None:
    at = kestrel_august()
    outcome = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    )
    invoice = outcome.invoice
    assert outcome.changed
    assert _lines(invoice) == [
        (INBOUND, "pricing.items[0]", "4.93", 4),
        (f"{INBOUND} (after hours)", "pricing.after_hours_surcharge", "0.30", 1),
        (OUTBOUND, "pricing.items[1]", "2.40", 1),
        (CONTACTS, "pricing.items[2]", "14.25", 3),
        ("Diversion to mobile", "pricing.diversion_fees[0]", "0.14", 1),
    ]
    first = invoice.lines.get(position=1)
    assert (first.quantity, first.exact_amount, first.rate) == (
        Decimal("3.4"),
        "4.93",
        Decimal("1.45"),
    )
    surcharge = invoice.lines.get(position=2)
    assert surcharge.exact_amount == "0.3045"
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("22.02"),
        Decimal("2.20"),
        Decimal("24.22"),
    )
    assert (invoice.tax_name, invoice.tax_rate_percent, invoice.tax_inclusive) == (
        "GST",
        Decimal("10"),
        False,
    )
    assert invoice.status == DocumentStatus.DRAFT and invoice.number == ""
    assert invoice.due_on_request is True
    assert invoice.rounding_rule == "half-up to 0.01 per line"
    assert invoice.parties["seller"]["tax_id"] == "ABN 51 824 753 556"
    assert invoice.parties["buyer"]["legal_name"] == "Kestrel Energy Retail Pty Ltd"
    assert outcome.memo is not None and outcome.memo.total == 0


def test_the_same_close_twice_changes_nothing(world: World) -> None:
    at = kestrel_august()
    actor = world.billing.actor
    first = month_close(actor=actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2)
    line_ids = list(first.invoice.lines.values_list("id", flat=True))
    again = month_close(actor=actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2)
    assert not again.changed
    assert again.invoice.pk == first.invoice.pk
    assert list(again.invoice.lines.values_list("id", flat=True)) == line_ids
    # New usage rewrites the draft: one more email contact, 4.75 more.
    ticket(at, AUG_10, CONTACTS, "email")
    third = month_close(actor=actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2)
    assert third.changed and third.invoice.pk == first.invoice.pk
    assert third.invoice.subtotal == Decimal("26.77")
    assert Invoice.objects.filter(client=at.client).count() == 1


# --- Per hour, USD, training hours, after hours, minimum, credits with the cap ------------------

HOURS = "Inbound and virtual assistance agent hours"
FEB_10 = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York
FEB_10_NIGHT = datetime(2026, 2, 11, 3, 0, tzinfo=UTC)  # 22:00 in New York
MAR_2 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_per_hour_month_with_training_minimum_and_capped_credits(world: World) -> None:
    """10 h + 1.5 h (after hours) productive at 32.50 = 373.75; after hours 25 percent of
    1.5 h x 32.50 = 48.75 is 12.1875 -> 12.19; 2 training hours at 24.00 = 48.00; outbound
    hours and email tickets 0. Services 433.9375 exactly, below the 45,000 minimum: top-up
    44,566.0625 -> 44,566.06; the rounded lines add up to 45,000.00.
    Credits: at risk 10 percent of 45,000.00 = 4,500, capped at 10 percent = 4,500.
    answer_within missed: 50 percent = 2,250; abandon_rate missed but excluded (client
    caused); email missed: 40 percent = 1,800; chat missed: 30 percent = 1,350, of which
    only 450 fits under the cap; social met. Credits 4,500.00; no tax: total 40,500.00."""
    at = loaded("general-outsourcing")
    record(
        at,
        UsageKind.AGENT_HOURS,
        FEB_10,
        part="2026-02-10",
        price_item=HOURS,
        channel="phone",
        service_type="inbound_support",
        productive_seconds=36000,
        logged_seconds=40000,
        training_seconds=7200,
    )
    record(
        at,
        UsageKind.AGENT_HOURS,
        FEB_10_NIGHT,
        part="2026-02-11",
        price_item=HOURS,
        channel="phone",
        service_type="inbound_support",
        productive_seconds=5400,
        logged_seconds=5400,
        outside_hours=True,
    )
    statement(
        at,
        date(2026, 2, 1),
        [
            level("phone.answer_within", "missed", "75.0", "80"),
            level("phone.abandon_rate", "missed", "7.0", "5", operator="<="),
            level("email.first_response", "missed", "85.0", "90"),
            level("chat.first_response", "missed", "70.0", "90"),
            met("social.first_response"),
        ],
        issued_at=MAR_2,
    )
    credit_exclusion_record(
        actor=world.billing.actor,
        client=at.client,
        month=date(2026, 2, 1),
        reference="phone.abandon_rate",
        kind="client_caused",
        reason="The client's IVR outage on 12 February",
        approved_by="Priya Raman",
        now=MAR_2,
    )
    outcome = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 2, 1), now=MAR_2
    )
    invoice = outcome.invoice
    assert _lines(invoice) == [
        (HOURS, "pricing.items[0]", "373.75", 2),
        (f"{HOURS} (after hours)", "pricing.after_hours_surcharge", "12.19", 1),
        (f"{HOURS} (training)", "pricing.items[0]", "48.00", 1),
        ("Outbound follow-up and survey hours", "pricing.items[1]", "0.00", 0),
        ("Email tickets resolved", "pricing.items[2]", "0.00", 0),
        ("Monthly minimum top-up", "pricing.monthly_minimum", "44566.06", 0),
        ("Service credits", "service_credits", "-4500.00", 0),
    ]
    top_up = invoice.lines.get(position=6)
    assert top_up.exact_amount == "44566.0625"
    assert "in force at the period's end" in top_up.description
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("40500.00"),
        Decimal("0"),
        Decimal("40500.00"),
    )
    memo = outcome.memo
    assert memo is not None and memo.invoice_id == invoice.pk
    assert (memo.charges, memo.total) == (Decimal("45000.00"), Decimal("4500"))
    lines = {line["reference"]: line for line in memo.content["lines"]}
    assert [(ref, lines[ref]["status"], lines[ref]["credited"]) for ref in lines] == [
        ("phone.answer_within", "credited", "2250.00"),
        ("phone.abandon_rate", "excluded", "0"),
        ("email.first_response", "credited", "1800.00"),
        ("chat.first_response", "credited", "450.00"),
        ("social.first_response", "met", "0"),
    ]
    assert lines["phone.answer_within"]["clause"] == "service_credits.allocations[0]"
    assert lines["phone.abandon_rate"]["params"]["why"] == "The client's IVR outage on 12 February"
    assert memo.content["note"].startswith("credits of {uncapped} capped at {cap}")
    assert memo.content["uncapped_total"] == "5400.00"


# --- Per FTE, INR, graduated tickets, minimum, first-month fee, GST 18 percent -------------------

TICKETS = "Resolved tickets (all channels)"
MAY_10 = datetime(2026, 5, 10, 6, 0, tzinfo=UTC)
JUN_2 = datetime(2026, 6, 2, 6, 0, tzinfo=UTC)


def test_per_fte_month_with_graduated_tickets_and_minimum_top_up(world: World) -> None:
    """10,005 resolved tickets, graduated: 10,000 at 90 + 5 at 80 = 900,400; 6 FTE at 85,000
    = 510,000; activation hours 0. Services 1,410,400, below the 1,500,000 minimum: top-up
    89,600. GST 18 percent of 1,500,000 = 270,000; total 1,770,000."""
    at = loaded("telecom-tiers")
    tickets(at, MAY_10, TICKETS, "email", 10_005)
    statement(at, date(2026, 5, 1), [], issued_at=JUN_2)
    outcome = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 5, 1), now=JUN_2
    )
    invoice = outcome.invoice
    assert _lines(invoice) == [
        (TICKETS, "pricing.items[0]", "900400.00", 10_005),
        ("Dedicated enterprise desk", "pricing.items[1]", "510000.00", 0),
        ("Activation back-office hours", "pricing.items[2]", "0.00", 0),
        ("Monthly minimum top-up", "pricing.monthly_minimum", "89600.00", 0),
    ]
    tiers = invoice.lines.get(position=1)
    assert tiers.description == "10000 @ 90.00 + 5 @ 80.00"
    assert tiers.rate is None
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("1500000.00"),
        Decimal("270000.00"),
        Decimal("1770000.00"),
    )


def test_one_time_fees_are_billed_in_the_agreements_first_month(world: World) -> None:
    """April 2026, the agreement's first month: FTE 510,000, top-up to the minimum 990,000,
    and the transition fee 1,200,000 (not a service charge, so not towards the minimum).
    Subtotal 2,700,000; GST 486,000; total 3,186,000."""
    at = loaded("telecom-tiers")
    statement(at, date(2026, 4, 1), [], issued_at=JUN_2)
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 4, 1), now=JUN_2
    ).invoice
    assert _lines(invoice)[-2:] == [
        ("Transition and knowledge transfer", "pricing.one_time_fees[0]", "1200000.00", 1),
        ("Monthly minimum top-up", "pricing.monthly_minimum", "990000.00", 0),
    ]
    assert (invoice.subtotal, invoice.total) == (Decimal("2700000.00"), Decimal("3186000.00"))


# --- Per call, CNY, tax inclusive 6 percent, credits as a credit note ---------------------------

CALLS = "电话热线接听（按通计费）"
CHATS = "在线及社交媒体会话"
APR_10 = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MAY_2 = datetime(2026, 5, 2, 2, 0, tzinfo=UTC)


def huaxin_april(world: World) -> tuple[Loaded, CloseOutcome]:
    at = loaded("customer-service-zh")
    for i in range(10):
        call(at, APR_10, CALLS, call_id=f"h{i}", talk_seconds=120)
    call(at, APR_10, CALLS, call_id="missed", handled=False)
    for _ in range(5):
        ticket(at, APR_10, CHATS, "chat")
    statement(
        at,
        date(2026, 4, 1),
        [
            level("phone.answer_within", "missed", "78.0", "85"),
            met("chat.first_response"),
            met("social.csat", "4.5"),
        ],
        issued_at=MAY_2,
    )
    outcome = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 4, 1), now=MAY_2
    )
    return at, outcome


def test_chinese_month_with_inclusive_tax_and_a_credit_note(world: World) -> None:
    """10 handled calls at 6.80 = 68.00 (the unanswered one is not billed); 5 chats at 4.20 =
    21.00; 3 FTE at 9,800 = 29,400; top-up to 60,000: 30,511.00. Tax included: 60,000 x 6 /
    106 = 3,396.2264 -> 3,396.23; the total stays 60,000.00.
    Credits: 8 percent of 60,000 = 4,800 at risk; answer_within missed: 50 percent = 2,400,
    on a separate credit note (applied_as credit_note): tax included 2,400 x 6 / 106 =
    135.849 -> 135.85."""
    _at, outcome = huaxin_april(world)
    invoice = outcome.invoice
    assert _lines(invoice) == [
        (CALLS, "pricing.items[0]", "68.00", 10),
        (CHATS, "pricing.items[1]", "21.00", 5),
        ("回访与满意度调查专席", "pricing.items[2]", "29400.00", 0),
        ("Monthly minimum top-up", "pricing.monthly_minimum", "30511.00", 0),
    ]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("60000.00"),
        Decimal("3396.23"),
        Decimal("60000.00"),
    )
    assert invoice.tax_inclusive and invoice.tax_name == "增值税"
    assert invoice.language == "zh-Hans"
    note = outcome.credit_note
    assert note.kind == DocumentKind.CREDIT_NOTE and note.corrects_id == invoice.pk
    assert _lines(note) == [("Service credits", "service_credits", "2400.00", 0)]
    assert (note.subtotal, note.tax_amount, note.total) == (
        Decimal("2400.00"),
        Decimal("135.85"),
        Decimal("2400.00"),
    )
    assert outcome.memo.invoice_id == note.pk


# --- A month of two agreement versions ----------------------------------------------------------


def _amend_telecom(client_code: str) -> AgreementVersion:
    """From 16 May: the first ticket band at 100 instead of 90, and 8 FTE instead of 6."""
    data = example_data("telecom-tiers")
    data["parties"]["client"]["code"] = client_code
    data["effective_from"] = "2026-05-16"
    data["pricing"]["items"][0]["tiers"][0]["rate"] = "100.00"
    data["pricing"]["items"][1]["ftes"] = "8"
    proposed_at = datetime(2026, 4, 10, tzinfo=UTC)
    system = system_actor("test")
    text = json.dumps(data, default=str, ensure_ascii=False)
    version = agreement_version_create(actor=system, text=text, fmt="json", now=proposed_at).version
    agreement_version_propose(actor=system, version=version, now=proposed_at)
    agreement_version_accept(actor=system_actor("client"), version=version, now=proposed_at)
    hold_escalation_roles(version.client)
    return agreement_version_activate(actor=system, version=version, now=proposed_at)


def test_a_month_of_two_versions_rates_each_under_its_own_pricing(world: World) -> None:
    """10 tickets before 16 May at 90 = 900.00 (version 1); 10 after at 100 = 1,000.00
    (version 2). Per-FTE from version 2, in force at the month's end: 8 x 85,000 = 680,000.
    Top-up to 1,500,000: 818,100.00."""
    at = loaded("telecom-tiers")
    amended = _amend_telecom(at.client.code)
    second = Loaded(at.client, amended)
    tickets(at, MAY_10, TICKETS, "email", 10)
    tickets(second, datetime(2026, 5, 20, 6, 0, tzinfo=UTC), TICKETS, "email", 10)
    statement(second, date(2026, 5, 1), [], issued_at=JUN_2)
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 5, 1), now=JUN_2
    ).invoice
    assert _lines(invoice) == [
        (TICKETS, "pricing.items[0]", "900.00", 10),
        ("Activation back-office hours", "pricing.items[2]", "0.00", 0),
        (TICKETS, "pricing.items[0]", "1000.00", 10),
        ("Dedicated enterprise desk", "pricing.items[1]", "680000.00", 0),
        ("Activation back-office hours", "pricing.items[2]", "0.00", 0),
        ("Monthly minimum top-up", "pricing.monthly_minimum", "818100.00", 0),
    ]
    descriptions = list(invoice.lines.order_by("position").values_list("description", flat=True))
    assert descriptions[0] == "10 @ 90.00; agreement version 1"
    assert descriptions[2] == "10 @ 100.00; agreement version 2"
    assert descriptions[3].endswith("from agreement version 2, in force at the period's end")
    assert invoice.agreement_version_id == amended.pk
    assert invoice.subtotal == Decimal("1500000.00")


NORTHWIND_MET = [
    met("phone.answer_within"),
    met("phone.abandon_rate", "5", "<="),
    met("email.first_response"),
    met("chat.first_response"),
    met("social.first_response"),
]


def test_a_credit_is_earned_back_after_three_months_met(world: World) -> None:
    """February: answer_within missed, 50 percent of the at-risk 4,500 (10 percent of the
    45,000 minimum) = 2,250 credited. March, April and May all met: May's invoice earns the
    2,250 back, once (June's does not)."""
    at = loaded("general-outsourcing")
    missed = [level("phone.answer_within", "missed", "70", "80"), *NORTHWIND_MET[1:]]
    closed = {}
    for month, results in (
        (2, missed),
        (3, NORTHWIND_MET),
        (4, NORTHWIND_MET),
        (5, NORTHWIND_MET),
        (6, NORTHWIND_MET),
    ):
        first, now = date(2026, month, 1), datetime(2026, month + 1, 2, 12, 0, tzinfo=UTC)
        statement(at, first, results, issued_at=now)
        closed[month] = month_close(
            actor=world.billing.actor, client=at.client, period_start=first, now=now
        ).invoice
    assert closed[2].lines.get(kind="credit").amount == Decimal("-2250.00")
    assert [_lines(closed[m])[-1] for m in (3, 4)] == [
        ("Monthly minimum top-up", "pricing.monthly_minimum", "45000.00", 0)
    ] * 2
    assert _lines(closed[5])[-1] == (
        "Service credit of 2026-02 earned back",
        "service_credits.earn_back",
        "2250.00",
        0,
    )
    assert closed[5].total == Decimal("47250.00")
    assert closed[6].total == Decimal("45000.00")


def test_diversion_draws_and_the_prepaid_balance_are_on_the_invoice(world: World) -> None:
    """500 prepaid in July; August's diverted leg (0.14) drawn from it: the draw pays the
    diversion line (-0.14) and the balance, 499.86, is shown at 0. Subtotal 22.02 - 0.14 =
    21.88; GST 2.188 -> 2.19; total 24.07."""
    at = kestrel_august()
    DiversionEntry.objects.create(
        client=at.client,
        kind=DiversionEntryKind.TOP_UP,
        at=datetime(2026, 7, 20, tzinfo=UTC),
        amount=Decimal("500"),
        source_key="TOPUP-1",
        recorded_by="test",
    )
    DiversionEntry.objects.create(
        client=at.client,
        kind=DiversionEntryKind.DRAW,
        at=AUG_10,
        amount=Decimal("-0.14"),
        source_key="call:b:leg1",
        recorded_by="test",
    )
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    ).invoice
    assert _lines(invoice)[-2:] == [
        ("Diversion charges paid from the prepayment", "pricing.diversion_prepayment", "-0.14", 0),
        ("Diversion prepayment balance", "pricing.diversion_prepayment", "0.00", 0),
    ]
    balance = invoice.lines.get(model="diversion_balance")
    assert balance.quantity == Decimal("499.86")
    assert balance.description == "top-ups this month 0.00, drawn 0.14, balance 499.86"
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("21.88"),
        Decimal("2.19"),
        Decimal("24.07"),
    )
    with pdfium.PdfDocument(invoice_pdf(Invoice.objects.get(pk=invoice.pk))) as document:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    assert "Diversion prepayment balance" in text
    assert "AUD 499.86" in text

"""Issuing (gap-free numbers, immutability), corrections after a statement reissue, payments,
late payment, chronic failures, the scheduled close, and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from conftest import World
from pactline.billing.close import close_command, month_close, month_close_due
from pactline.billing.credits import credit_exclusion_record
from pactline.billing.forecasts import volume_forecast_record
from pactline.billing.models import (
    ChronicFailure,
    CreditMemo,
    DocumentKind,
    DocumentStatus,
    Invoice,
    Payment,
)
from pactline.billing.services import (
    invoice_issue,
    invoice_outstanding,
    late_fees_invoice,
    payment_record,
)
from pactline.billing.tests.close_support import call, level, loaded, met, statement, tickets
from pactline.billing.tests.test_close_amounts import (
    KESTREL_LEVELS,
    SEP_2,
    TICKETS,
    huaxin_april,
    kestrel_august,
)
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

AUGUST = date(2026, 8, 1)


def _close_kestrel(world: World) -> Invoice:
    at = kestrel_august()
    return month_close(
        actor=world.billing.actor, client=at.client, period_start=AUGUST, now=SEP_2
    ).invoice


def test_issuing_numbers_gap_free_per_series_and_year(world: World) -> None:
    actor = world.billing.actor
    kestrel = invoice_issue(actor=actor, invoice=_close_kestrel(world), now=SEP_2)
    assert (kestrel.number, kestrel.status, kestrel.issued_on) == (
        "INV-2026-000001",
        DocumentStatus.ISSUED,
        date(2026, 9, 2),  # 09:30 in Adelaide
    )
    assert kestrel.due_on == date(2026, 9, 2)  # due on request: at once
    assert len(kestrel.content_hash) == 64
    _at, huaxin = huaxin_april(world)
    huaxin_invoice = invoice_issue(actor=actor, invoice=huaxin.invoice, now=SEP_2)
    assert huaxin_invoice.number == "INV-2026-000002"
    assert huaxin_invoice.due_on == date(2026, 10, 17)  # 45 days after 2 September
    assert huaxin.credit_note is not None
    note = invoice_issue(actor=actor, invoice=huaxin.credit_note, now=SEP_2)
    assert note.number == "CN-2026-000001"
    with pytest.raises(Conflict):
        invoice_issue(actor=actor, invoice=note, now=SEP_2)
    # A refused issue draws no number: the next invoice is still 000003.
    assert Invoice.objects.filter(series="INV").count() == 2


def test_a_credit_note_waits_for_the_invoice_it_corrects(world: World) -> None:
    _at, huaxin = huaxin_april(world)
    assert huaxin.credit_note is not None
    with pytest.raises(Conflict):
        invoice_issue(actor=world.billing.actor, invoice=huaxin.credit_note, now=SEP_2)
    assert not Invoice.objects.exclude(number="").exists()


def test_an_issued_invoice_cannot_change(world: World) -> None:
    invoice = invoice_issue(actor=world.billing.actor, invoice=_close_kestrel(world), now=SEP_2)
    stored = Invoice.objects.get(pk=invoice.pk)
    stored.total = Decimal("1.00")
    with pytest.raises(TypeError):
        stored.save()
    with pytest.raises(TypeError):
        stored.delete()
    line = stored.lines.get(position=1)
    line.amount = Decimal("0.01")
    with pytest.raises(TypeError):
        line.save()
    with pytest.raises(TypeError):
        line.delete()
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert fresh.total == Decimal("24.22")
    assert fresh.lines.get(position=1).amount == Decimal("4.93")


def test_a_reissued_statement_gives_a_credit_note_and_a_rerun_nothing_new(world: World) -> None:
    """Revision 2: answer_within 77.5 against 80, a shortfall of 2.5 points: the 50 percent
    band of its 60 percent allocation of the at-risk amount, 12 percent of 22.02 = 2.6424:
    0.79272 -> 0.79 less than invoiced. Credit note 0.79 + GST 0.079 -> 0.08 = 0.87."""
    actor = world.billing.actor
    invoice = invoice_issue(actor=actor, invoice=_close_kestrel(world), now=SEP_2)
    at = loaded("call-centre-per-minute")
    first = invoice.statement
    assert first is not None
    results = [level("phone.answer_within", "missed", "77.5", "80"), *KESTREL_LEVELS[1:]]
    second = statement(at, AUGUST, results, issued_at=SEP_2, replaces=first)
    outcome = month_close(actor=actor, client=at.client, period_start=AUGUST, now=SEP_2)
    assert outcome.invoice.pk == invoice.pk and outcome.changed
    note = outcome.correction
    assert note is not None
    assert (note.kind, note.status, note.corrects_id, note.statement_id) == (
        DocumentKind.CREDIT_NOTE,
        DocumentStatus.DRAFT,
        invoice.pk,
        second.pk,
    )
    assert "revision 2" in note.reason and "INV-2026-000001" in note.reason
    assert (note.subtotal, note.tax_amount, note.total) == (
        Decimal("0.79"),
        Decimal("0.08"),
        Decimal("0.87"),
    )
    memo = CreditMemo.objects.get(statement=second)
    assert memo.content["lines"][0]["credited"] == "0.79272"
    assert memo.invoice_id == note.pk
    unchanged = Invoice.objects.get(pk=invoice.pk)
    assert (unchanged.total, unchanged.content_hash) == (invoice.total, invoice.content_hash)

    again = month_close(actor=actor, client=at.client, period_start=AUGUST, now=SEP_2)
    assert not again.changed
    assert again.correction is not None and again.correction.pk == note.pk
    assert Invoice.objects.filter(client=at.client).count() == 2
    # Issued, the note counts: a third run finds no difference and writes nothing.
    invoice_issue(actor=actor, invoice=note, now=SEP_2)
    third = month_close(actor=actor, client=at.client, period_start=AUGUST, now=SEP_2)
    assert (third.changed, third.correction) == (False, None)
    assert invoice_outstanding(Invoice.objects.get(pk=invoice.pk)) == Decimal("23.35")


def test_payments_partial_full_and_idempotent(world: World) -> None:
    actor = world.billing.actor
    draft = _close_kestrel(world)
    with pytest.raises(Conflict):
        payment_record(
            actor=actor,
            invoice=draft,
            amount=Decimal("1"),
            received_on=date(2026, 9, 3),
            reference="early",
            now=SEP_2,
        )
    invoice = invoice_issue(actor=actor, invoice=draft, now=SEP_2)

    def pay(amount: Any, reference: str) -> Payment:
        return payment_record(
            actor=actor,
            invoice=invoice,
            amount=amount,
            received_on=date(2026, 9, 5),
            reference=reference,
            now=SEP_2,
        )

    first = pay(Decimal("10.00"), "BANK-1")
    assert invoice_outstanding(invoice) == Decimal("14.22")
    assert pay(Decimal("10.00"), "BANK-1").pk == first.pk  # the same payment again
    assert invoice_outstanding(invoice) == Decimal("14.22")
    with pytest.raises(ValidationFailed) as other:
        pay(Decimal("5.00"), "BANK-1")
    assert other.value.errors[0].path == "reference"
    with pytest.raises(ValidationFailed) as too_much:
        pay(Decimal("14.23"), "BANK-2")
    assert too_much.value.errors[0].path == "amount"
    for bad in (Decimal("0"), Decimal("-1"), "abc", Decimal("NaN")):
        with pytest.raises(ValidationFailed) as refused:
            pay(bad, "BANK-3")
        assert refused.value.errors[0].path == "amount"
    pay(Decimal("14.22"), "BANK-2")
    assert invoice_outstanding(invoice) == Decimal("0")
    assert Payment.objects.filter(invoice=invoice).count() == 2


def test_late_interest_is_charged_pro_rata_once_per_day(world: World) -> None:
    """Telecom: 1,770,000 due 2 July (30 days after 2 June), 18 percent a year, no grace.
    On 1 August, 30 days late: 1,770,000 x 0.18 x 30 / 365 = 26,186.3013... -> 26,186.30.
    Ten days later, with that note issued, only the 10 new days: 8,728.767... -> 8,728.77."""
    actor = world.billing.actor
    at = loaded("telecom-tiers")
    tickets(at, datetime(2026, 5, 10, 6, 0, tzinfo=UTC), TICKETS, "email", 10_005)
    statement(at, date(2026, 5, 1), [], issued_at=datetime(2026, 6, 2, 6, 0, tzinfo=UTC))
    jun_2 = datetime(2026, 6, 2, 6, 0, tzinfo=UTC)
    draft = month_close(actor=actor, client=at.client, period_start=date(2026, 5, 1), now=jun_2)
    invoice = invoice_issue(actor=actor, invoice=draft.invoice, now=jun_2)
    assert invoice.due_on == date(2026, 7, 2)
    assert (
        late_fees_invoice(actor=actor, client=at.client, now=datetime(2026, 7, 2, 6, 0, tzinfo=UTC))
        is None
    )

    aug_1 = datetime(2026, 8, 1, 6, 0, tzinfo=UTC)
    note = late_fees_invoice(actor=actor, client=at.client, now=aug_1)
    assert note is not None and note.kind == DocumentKind.DEBIT_NOTE
    line = note.lines.get()
    assert (line.item, line.quantity, line.amount, line.clause) == (
        "Late payment interest: INV-2026-000001",
        Decimal(30),
        Decimal("26186.30"),
        "pricing.late_payment",
    )
    assert line.exact_amount == "1911600/73"
    assert (note.subtotal, note.tax_amount, note.total) == (
        Decimal("26186.30"),
        Decimal("0"),
        Decimal("26186.30"),
    )
    same = late_fees_invoice(actor=actor, client=at.client, now=aug_1)
    assert same is not None and same.pk == note.pk and same.lines.count() == 1
    invoice_issue(actor=actor, invoice=note, now=aug_1)
    later = late_fees_invoice(
        actor=actor, client=at.client, now=datetime(2026, 8, 11, 6, 0, tzinfo=UTC)
    )
    assert later is not None and later.pk != note.pk
    assert [(x.quantity, x.amount) for x in later.lines.all()] == [
        (Decimal(10), Decimal("8728.77"))
    ]


def test_a_late_fixed_fee_after_the_grace_days(world: World) -> None:
    """Northwind: 150 once, after 10 days' grace; due 30 days after issue."""
    actor = world.billing.actor
    at = loaded("general-outsourcing")
    mar_2 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    statement(at, date(2026, 2, 1), [], issued_at=mar_2)
    draft = month_close(actor=actor, client=at.client, period_start=date(2026, 2, 1), now=mar_2)
    invoice = invoice_issue(actor=actor, invoice=draft.invoice, now=mar_2)
    assert invoice.due_on == date(2026, 4, 1)
    assert (
        late_fees_invoice(
            actor=actor, client=at.client, now=datetime(2026, 4, 11, 12, 0, tzinfo=UTC)
        )
        is None
    )
    note = late_fees_invoice(
        actor=actor, client=at.client, now=datetime(2026, 4, 12, 12, 0, tzinfo=UTC)
    )
    assert note is not None
    assert [(x.item, x.amount) for x in note.lines.all()] == [
        ("Late payment fee: INV-2026-000001", Decimal("150.00"))
    ]


def test_chronic_failure_is_recorded_once_and_both_parties_told(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Kestrel: 3 misses of answer_within in 6 months give the client a termination right."""
    actor = world.billing.actor
    at = loaded("call-centre-per-minute")
    missed = [level("phone.answer_within", "missed", "70", "80"), *KESTREL_LEVELS[1:]]
    for month, now in (
        (date(2026, 7, 1), datetime(2026, 8, 2, tzinfo=UTC)),
        (date(2026, 8, 1), datetime(2026, 9, 2, tzinfo=UTC)),
        (date(2026, 9, 1), datetime(2026, 10, 2, tzinfo=UTC)),
    ):
        statement(at, month, missed, issued_at=now)
        with django_capture_on_commit_callbacks(execute=True):
            month_close(actor=actor, client=at.client, period_start=month, now=now)
    found = ChronicFailure.objects.get(client=at.client)
    assert (found.reference, found.found_in, found.months, found.misses) == (
        "phone.answer_within",
        date(2026, 9, 1),
        ["2026-07", "2026-08", "2026-09"],
        3,
    )
    assert found.notified_at == datetime(2026, 10, 2, tzinfo=UTC)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == [
        "liam.oconnor@kestrel-energy.example",
        "olivia.nguyen@southgate-contact.example",
        "ravi.kapoor@southgate-contact.example",
        "sophie.marshall@kestrel-energy.example",
    ]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "phone.answer_within" in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        month_close(
            actor=actor,
            client=at.client,
            period_start=date(2026, 9, 1),
            now=datetime(2026, 10, 2, tzinfo=UTC),
        )
    assert ChronicFailure.objects.count() == 1 and len(mail.outbox) == 1


def test_the_scheduled_close_takes_last_month_once(world: World) -> None:
    at = kestrel_august()
    lines = month_close_due(now=SEP_2)
    assert lines == [f"{at.client.code} 2026-08: draft invoice total 24.22"]
    assert month_close_due(now=SEP_2) == []
    assert Invoice.objects.filter(client=at.client).count() == 1


def test_the_scheduled_close_keeps_a_draft_current_and_leaves_an_issued_month(
    world: World,
) -> None:
    at = kestrel_august()
    month_close_due(now=SEP_2)
    # A 20 s call imported late bills the 30 s minimum: 204 + 30 = 234 s = 3.9 min at 1.45 =
    # 5.655 -> 5.66 (was 4.93); subtotal 22.75, GST 2.275 -> 2.28, total 25.03.
    late = {"call_id": "late", "service_type": "inbound_support", "talk_seconds": 20}
    call(at, datetime(2026, 8, 20, 1, 0, tzinfo=UTC), "Inbound handled minutes", **late)
    assert month_close_due(now=SEP_2) == [f"{at.client.code} 2026-08: draft invoice total 25.03"]
    draft = Invoice.objects.get(client=at.client)
    invoice_issue(actor=world.billing.actor, invoice=draft, now=SEP_2)
    later = {**late, "call_id": "later"}
    call(at, datetime(2026, 8, 21, 1, 0, tzinfo=UTC), "Inbound handled minutes", **later)
    assert month_close_due(now=SEP_2) == []
    assert Invoice.objects.filter(client=at.client).count() == 1


def test_close_command_closes_a_month_by_hand(world: World) -> None:
    at = kestrel_august()
    text = close_command(at.client.code, "2026-08")
    assert text == f"{at.client.code} 2026-08: draft AUD subtotal 22.02 tax 2.20 total 24.22"
    assert close_command(at.client.code, "2026-08").endswith("(unchanged)")
    for bad in ("2026-13", "August", ""):
        with pytest.raises(ValidationFailed) as refused:
            close_command(at.client.code, bad)
        assert refused.value.errors[0].path == "period"
    with pytest.raises(ValidationFailed) as unknown:
        close_command("no-such-client", "2026-08")
    assert unknown.value.errors[0].path == "client"


def test_month_close_refuses_bad_periods(world: World) -> None:
    actor = world.billing.actor
    at = kestrel_august()

    def refused(period: Any, now: datetime = SEP_2) -> str:
        with pytest.raises(ValidationFailed) as error:
            month_close(actor=actor, client=at.client, period_start=period, now=now)
        assert error.value.errors[0].path == "period"
        return error.value.errors[0].message

    refused(date(2026, 8, 2))
    refused("2026-08")
    assert "ended" in refused(AUGUST, now=datetime(2026, 8, 31, 13, 0, tzinfo=UTC))
    assert "statement" in refused(date(2026, 7, 1))
    assert not Invoice.objects.exists()


def test_only_billing_managers_close_and_issue(world: World) -> None:
    at = kestrel_august()
    with pytest.raises(NotFound):
        month_close(
            actor=world.client_a_manager.actor, client=at.client, period_start=AUGUST, now=SEP_2
        )
    with pytest.raises(Forbidden):
        month_close(actor=world.qa_analyst.actor, client=at.client, period_start=AUGUST, now=SEP_2)
    assert not Invoice.objects.exists()
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=AUGUST, now=SEP_2
    ).invoice
    with pytest.raises(Forbidden):
        invoice_issue(actor=world.qa_analyst.actor, invoice=invoice, now=SEP_2)
    assert Invoice.objects.get(pk=invoice.pk).number == ""


def test_exclusions_and_forecasts_refuse_bad_input(world: World) -> None:
    actor = world.billing.actor
    at = loaded("general-outsourcing")
    now = datetime(2026, 3, 2, tzinfo=UTC)

    def exclusion(**changes: Any) -> str:
        values = {
            "month": date(2026, 2, 1),
            "reference": "phone.answer_within",
            "kind": "force_majeure",
            "reason": "Storm",
            "approved_by": "Priya Raman",
        } | changes
        with pytest.raises(ValidationFailed) as error:
            credit_exclusion_record(actor=actor, client=at.client, now=now, **values)
        return error.value.errors[0].path

    assert exclusion(month=date(2026, 2, 3)) == "month"
    assert exclusion(reference="phone") == "reference"
    assert exclusion(kind="weather") == "kind"
    assert exclusion(reason="  ") == "reason"
    assert exclusion(approved_by="") == "approved_by"
    assert exclusion(approved_by="x" * 151) == "approved_by"
    with pytest.raises(ValidationFailed) as error:
        volume_forecast_record(
            actor=actor,
            client=at.client,
            month=date(2026, 2, 1),
            reference="phone",
            forecast=-1,
            now=now,
        )
    assert error.value.errors[0].path == "forecast"
    with pytest.raises(Forbidden):
        volume_forecast_record(
            actor=world.qa_analyst.actor,
            client=at.client,
            month=date(2026, 2, 1),
            reference="phone",
            forecast=10,
            now=now,
        )


def test_a_forecast_beyond_the_tolerance_excludes_a_miss(world: World) -> None:
    """Northwind tolerates 15 percent: phone volume 1,000 against a forecast of 800 is 25
    percent over, so the phone levels' misses earn nothing; email's 40 percent of the
    at-risk 4,500 (10 percent of the 45,000 minimum) is 1,800."""
    actor = world.billing.actor
    at = loaded("general-outsourcing")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    volume_forecast_record(
        actor=actor,
        client=at.client,
        month=date(2026, 2, 1),
        reference="phone",
        forecast=800,
        now=now,
    )
    statement(
        at,
        date(2026, 2, 1),
        [
            level("phone.answer_within", "missed", "70", "80"),
            met("phone.abandon_rate", "5", "<="),
            level("email.first_response", "missed", "85.0", "90"),
            met("chat.first_response"),
            met("social.first_response"),
        ],
        issued_at=now,
    )
    outcome = month_close(actor=actor, client=at.client, period_start=date(2026, 2, 1), now=now)
    assert outcome.memo is not None
    statuses = {line["reference"]: line["status"] for line in outcome.memo.content["lines"]}
    assert statuses["phone.answer_within"] == "excluded"
    assert outcome.memo.total == Decimal("1800")
    assert outcome.invoice.lines.get(kind="credit").amount == Decimal("-1800.00")


def test_a_statement_reissued_before_issue_rewrites_the_draft(world: World) -> None:
    """Not yet issued, the draft itself takes the new revision: a credit line of -0.79
    (0.79272, see above), subtotal 21.23, GST 2.123 -> 2.12, total 23.35; no note."""
    actor = world.billing.actor
    draft = _close_kestrel(world)
    at = loaded("call-centre-per-minute")
    first = draft.statement
    assert first is not None
    results = [level("phone.answer_within", "missed", "77.5", "80"), *KESTREL_LEVELS[1:]]
    second = statement(at, AUGUST, results, issued_at=SEP_2, replaces=first)
    outcome = month_close(actor=actor, client=at.client, period_start=AUGUST, now=SEP_2)
    assert outcome.changed and outcome.correction is None
    invoice = outcome.invoice
    assert (invoice.pk, invoice.statement_id) == (draft.pk, second.pk)
    assert invoice.lines.get(kind="credit").amount == Decimal("-0.79")
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("21.23"),
        Decimal("2.12"),
        Decimal("23.35"),
    )
    memos = dict(CreditMemo.objects.values_list("statement__revision", "invoice_id"))
    assert memos == {1: None, 2: draft.pk}
    assert Invoice.objects.filter(client=at.client).count() == 1

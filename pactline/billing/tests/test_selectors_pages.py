"""The reads behind the billing pages, with the hand-worked figures of `pages_support`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pactline.billing import selectors
from pactline.billing.access import access_invoice, access_invoice_line
from pactline.billing.tests.pages_support import TODAY, Billing, billing_fixture  # noqa: F401
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import actor_for_user

pytestmark = pytest.mark.django_db


def test_statement_of_account_runs_the_balance_in_date_order(billing: Billing) -> None:
    actor = billing.world.client_a_viewer.actor
    account = selectors.statement_of_account(actor=actor, client=billing.world.client_a)
    rows = [
        (
            row.day,
            row.invoice.number if row.invoice else row.payment.reference,  # type: ignore[union-attr]
            row.debit,
            row.credit,
            row.balance,
        )
        for row in account.rows
    ]
    assert rows == [
        (date(2026, 10, 2), "INV-2026-000007", Decimal("1357.95"), 0, Decimal("1357.95")),
        (date(2026, 10, 20), "BANK-0042", 0, Decimal("500.00"), Decimal("857.95")),
        (date(2026, 10, 25), "CN-2026-000001", 0, Decimal("57.95"), Decimal("800.00")),
    ]
    assert account.balance == Decimal("800.00") and account.currency == "AUD"


def test_overdue_is_what_is_still_owed_after_payments_and_credit_notes(billing: Billing) -> None:
    actor = billing.world.billing.actor
    rows = [
        (row.invoice.number, row.paid, row.outstanding, row.days_late)
        for row in selectors.overdue_list(actor=actor, today=TODAY)
    ]
    assert rows == [
        ("INV-2026-000007", Decimal("500.00"), Decimal("800.00"), 36),
        ("INV-2026-000008", Decimal(0), Decimal("10.00"), 36),
    ]
    # The client's users see their own.
    (own,) = selectors.overdue_list(actor=billing.world.client_a_manager.actor, today=TODAY)
    assert own.invoice == billing.invoice
    # On its due date it is not late yet.
    assert selectors.overdue_list(actor=actor, today=date(2026, 11, 1)) == []


def test_a_line_drills_down_to_the_usage_of_its_local_period(billing: Billing) -> None:
    line = billing.invoice.lines.get()
    records = selectors.line_usage(line)
    assert [record.source_id for record in records] == [1, 2]  # not 1 October 00:10 local
    found = access_invoice_line(billing.world.client_a_viewer.actor, line.pk)
    assert found.invoice == billing.invoice


def test_drafts_are_the_providers_and_missing_for_the_client(billing: Billing) -> None:
    world = billing.world
    numbers = {
        persona: sorted(
            str(invoice.number or invoice.status)
            for invoice in selectors.invoice_list(actor=getattr(world, persona).actor)
        )
        for persona in ("client_a_viewer", "client_a_manager", "provider_admin", "billing")
    }
    client_view = ["CN-2026-000001", "INV-2026-000007"]
    provider_view = ["CN-2026-000001", "INV-2026-000007", "INV-2026-000008", "draft"]
    assert numbers == {
        "client_a_viewer": client_view,
        "client_a_manager": client_view,
        "provider_admin": provider_view,
        "billing": provider_view,
    }
    with pytest.raises(NotFound):
        access_invoice(world.client_a_viewer.actor, billing.draft.pk)
    with pytest.raises(NotFound):  # another client's, like a missing one
        access_invoice(world.client_b_manager.actor, billing.invoice.pk)
    with pytest.raises(NotFound):
        access_invoice(world.client_a_viewer.actor, 999_999)
    with pytest.raises(Forbidden):  # the client's agent sees the client, not its billing
        access_invoice(world.client_a_agent.actor, billing.invoice.pk)
    with pytest.raises(Forbidden):  # reading is not managing
        access_invoice(world.client_a_manager.actor, billing.invoice.pk, for_write=True)
    assert access_invoice(world.billing.actor, billing.draft.pk, for_write=True) == billing.draft
    assert selectors.invoice_list(actor=world.client_a_agent.actor).count() == 0


def test_credit_memos_of_drafts_are_the_providers(billing: Billing) -> None:
    world = billing.world
    client_memos = selectors.credit_memo_list(actor=world.client_a_viewer.actor)
    assert [memo.month for memo in client_memos] == [date(2026, 9, 1)]
    provider_memos = selectors.credit_memo_list(actor=world.billing.actor)
    assert [memo.month for memo in provider_memos] == [date(2026, 10, 1), date(2026, 9, 1)]
    lines = selectors.memo_lines(billing.september)
    assert [(line.reference, line.status, line.credited) for line in lines] == [
        ("phone.answer_within", "credited", Decimal("200")),
        ("phone.abandon_rate", "excluded", Decimal("0")),
    ]


def test_periods_to_close_is_the_last_ended_month_not_issued(billing: Billing) -> None:
    world = billing.world
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    periods = [
        (period.client.code, period.period_start, period.period_end, period.draft)
        for period in selectors.periods_to_close(actor=world.billing.actor, now=now)
    ]
    november = (date(2026, 11, 1), date(2026, 11, 30), None)
    assert periods == [("client-a", *november), ("client-b", *november)]
    # October's draft: at the start of November, October is listed with it.
    early = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)
    october = selectors.periods_to_close(actor=world.billing.actor, now=early)[0]
    assert (october.period_start, october.draft) == (date(2026, 10, 1), billing.draft)
    # September is issued for both clients: nothing is left to close in October.
    late_october = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
    assert selectors.periods_to_close(actor=world.billing.actor, now=late_october) == []
    assert selectors.periods_to_close(actor=world.client_a_manager.actor, now=now) == []


def test_diversion_ledger_runs_the_balance(billing: Billing) -> None:
    ledger = selectors.diversion_ledger(client=billing.world.client_a)
    assert [(row.entry.amount, row.balance) for row in ledger] == [
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("-2.50"), Decimal("97.50")),
    ]


def test_an_inactive_user_reads_nothing(billing: Billing) -> None:
    user = billing.world.client_a_viewer.user
    assert user is not None
    user.is_active = False
    user.save()
    assert selectors.invoice_list(actor=actor_for_user(user)).count() == 0

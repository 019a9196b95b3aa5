"""Billing rows for the page and API tests (no tests here), written directly: client A under
the per-minute AUD agreement (Adelaide, ACST +9:30 all September 2026).

September 2026, issued:
- invoice INV-2026-000007 of 2 October, due 1 November: one line "Inbound handled minutes",
  2,469 minutes at 0.50 = 1,234.50, GST 10 percent 123.45, total 1,357.95;
- a payment BANK-0042 of 500.00 received 20 October;
- credit note CN-2026-000001 of 25 October, 57.95, correcting the invoice;
- its credit memo: phone.answer_within credited 200.00 (10 percent of the at-risk 2,000),
  phone.abandon_rate missed but excluded (force majeure).
October 2026: a draft invoice of 999.00 and the memo it carries (the provider's only).
Usage of "Inbound handled minutes": two records inside September's local days (8 September
and 30 September 23:30 local), one just after (1 October 00:10 local), one of another item.
Diversion ledger: a prepayment of 100.00, a draw of 2.50: balance 97.50.

Statement of account: +1,357.95 (1,357.95), -500.00 (857.95), -57.95 (800.00).
Overdue on 7 December 2026: the invoice, 36 days late, 800.00 outstanding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from conftest import World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.tests.test_pages_support import load
from pactline.billing.models import (
    CreditMemo,
    DiversionEntry,
    Invoice,
    InvoiceLine,
    Payment,
    UsageRecord,
)
from pactline.metrics.models import Statement
from pactline.tenancy.models import Client

ZONE = "Australia/Adelaide"
ISSUED_AT = datetime(2026, 10, 2, 0, 0, tzinfo=UTC)
ITEM = "Inbound handled minutes"
TODAY = date(2026, 12, 7)

CREDITED_REASON = "{level} missed: {allocation} percent of the at-risk amount {at_risk}"
EXCLUDED_REASON = "{level} missed, excluded ({kind}: {why}; approved by {approver}): no credit"


def document(
    client: Client,
    version: AgreementVersion,
    *,
    kind: str = "invoice",
    status: str = "issued",
    number: str = "",
    sequence: int | None = None,
    period_start: date = date(2026, 9, 1),
    period_end: date = date(2026, 9, 30),
    issued_on: date | None = None,
    due_on: date | None = None,
    subtotal: str = "0",
    tax: str = "0",
    total: str = "0",
    corrects: Invoice | None = None,
    reason: str = "",
    lines: tuple[tuple[str, str, str, str, str, str, int], ...] = (),
) -> Invoice:
    """A document with its lines (item, model, quantity, unit, rate, amount, usage count),
    written as a draft and then marked issued (the model freezes issued documents)."""
    invoice = Invoice.objects.create(
        client=client,
        kind=kind,
        status="draft",
        period_start=period_start,
        period_end=period_end,
        timezone=ZONE,
        currency="AUD",
        agreement_version=version,
        corrects=corrects,
        reason=reason,
        subtotal=Decimal(subtotal),
        tax_name="GST" if tax != "0" else "",
        tax_rate_percent=Decimal(10) if tax != "0" else None,
        tax_amount=Decimal(tax),
        total=Decimal(total),
        rounding_rule="half-up to 0.01 per line",
        parties={
            "seller": {"name": "Pactline Care", "legal_name": "", "address": "", "tax_id": ""},
            "buyer": {"name": client.name, "legal_name": "", "address": "", "tax_id": ""},
        },
        created_at=ISSUED_AT,
    )
    for position, (item, model, quantity, unit, rate, amount, usage) in enumerate(lines, 1):
        InvoiceLine.objects.create(
            client=client,
            invoice=invoice,
            position=position,
            item=item,
            model=model,
            quantity=Decimal(quantity),
            unit=unit,
            rate=Decimal(rate),
            amount=Decimal(amount),
            usage_count=usage,
        )
    if status == "issued":
        series = {"invoice": "INV", "credit_note": "CN", "debit_note": "DN"}[kind]
        Invoice.objects.filter(pk=invoice.pk).update(
            status="issued",
            number=number,
            series=series,
            year=2026,
            sequence=sequence,
            issued_on=issued_on,
            due_on=due_on,
            issued_at=ISSUED_AT,
            issued_by="user:billing",
        )
    return Invoice.objects.get(pk=invoice.pk)


def usage(
    client: Client, version: AgreementVersion, source_id: int, at: datetime, item: str = ITEM
) -> UsageRecord:
    return UsageRecord.objects.create(
        client=client,
        source="call",
        source_id=source_id,
        part="leg",
        kind="call_leg",
        agreement_version=version,
        price_item=item,
        at=at,
        channel="phone",
        queue="general",
        agent="Ava",
        call_id=f"call-{source_id}",
        handled=True,
        talk_seconds=100 + source_id,
        hold_seconds=5,
        acw_seconds=10,
    )


def statement(client: Client, first: date, last: date) -> Statement:
    return Statement.objects.create(
        client=client,
        frequency="monthly",
        period_start=first,
        period_end=last,
        timezone=ZONE,
        content={"segments": []},
        content_hash="0" * 64,
        issued_at=ISSUED_AT,
        issued_by="test",
    )


def memo(
    client: Client, statement_row: Statement, invoice: Invoice | None, month: date
) -> CreditMemo:
    return CreditMemo.objects.create(
        client=client,
        month=month,
        statement=statement_row,
        currency="AUD",
        charges=Decimal("1234.50"),
        total=Decimal("200"),
        invoice=invoice,
        computed_at=ISSUED_AT,
        content={
            "lines": [
                {
                    "reference": "phone.answer_within",
                    "clause": "service_credits.allocations[0]",
                    "target": "80",
                    "value": "71.5",
                    "verdict": "missed",
                    "status": "credited",
                    "amount": "200",
                    "credited": "200",
                    "reason": CREDITED_REASON,
                    "params": {
                        "level": "phone.answer_within",
                        "allocation": "10",
                        "at_risk": "2000",
                        "amount": "200",
                    },
                },
                {
                    "reference": "phone.abandon_rate",
                    "clause": "service_credits.allocations[1]",
                    "target": "5",
                    "value": "9.2",
                    "verdict": "missed",
                    "status": "excluded",
                    "amount": "0",
                    "credited": "0",
                    "reason": EXCLUDED_REASON,
                    "params": {
                        "level": "phone.abandon_rate",
                        "kind": "force_majeure",
                        "why": "Storm outage",
                        "approver": "client:jane",
                    },
                },
            ],
            "note": "",
            "note_params": {},
        },
    )


@dataclass(frozen=True)
class Billing:
    world: World
    version: AgreementVersion
    invoice: Invoice
    credit_note: Invoice
    draft: Invoice
    payment: Payment
    september: CreditMemo
    october: CreditMemo
    b_invoice: Invoice


@pytest.fixture(name="billing")
def billing_fixture(world: World) -> Billing:
    client = world.client_a
    version = load(client, "call-centre-per-minute")
    invoice = document(
        client,
        version,
        number="INV-2026-000007",
        sequence=7,
        issued_on=date(2026, 10, 2),
        due_on=date(2026, 11, 1),
        subtotal="1234.50",
        tax="123.45",
        total="1357.95",
        lines=((ITEM, "per_minute", "2469", "minute", "0.50", "1234.50", 2),),
    )
    credit_note = document(
        client,
        version,
        kind="credit_note",
        number="CN-2026-000001",
        sequence=1,
        issued_on=date(2026, 10, 25),
        subtotal="52.68",
        tax="5.27",
        total="57.95",
        corrects=invoice,
        reason="Service credits for September",
        lines=(("Service credits", "credit", "1", "", "52.68", "52.68", 0),),
    )
    draft = document(
        client,
        version,
        status="draft",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        subtotal="999",
        total="999",
        lines=((ITEM, "per_minute", "1998", "minute", "0.50", "999.00", 0),),
    )
    payment = Payment.objects.create(
        client=client,
        invoice=invoice,
        amount=Decimal("500.00"),
        received_on=date(2026, 10, 20),
        reference="BANK-0042",
        recorded_at=ISSUED_AT,
        recorded_by="user:billing",
    )
    september = memo(
        client,
        statement(client, date(2026, 9, 1), date(2026, 9, 30)),
        credit_note,
        date(2026, 9, 1),
    )
    october = memo(
        client, statement(client, date(2026, 10, 1), date(2026, 10, 31)), draft, date(2026, 10, 1)
    )
    usage(client, version, 1, datetime(2026, 9, 8, 0, 30, tzinfo=UTC))
    usage(client, version, 2, datetime(2026, 9, 30, 14, 0, tzinfo=UTC))  # 23:30 local
    usage(client, version, 3, datetime(2026, 9, 30, 14, 40, tzinfo=UTC))  # 1 Oct 00:10 local
    usage(client, version, 4, datetime(2026, 9, 10, 1, 0, tzinfo=UTC), item="Outbound minutes")
    DiversionEntry.objects.create(
        client=client,
        kind="top_up",
        at=datetime(2026, 9, 1, 0, 0, tzinfo=UTC),
        amount=Decimal("100.00"),
        source_key="PRE-1",
        recorded_by="user:billing",
    )
    DiversionEntry.objects.create(
        client=client,
        kind="draw",
        at=datetime(2026, 9, 8, 0, 30, tzinfo=UTC),
        amount=Decimal("-2.50"),
        source_key="call:1:leg",
        recorded_by="system",
    )
    b_version = load(world.client_b, "general-outsourcing")
    b_invoice = document(
        world.client_b,
        b_version,
        number="INV-2026-000008",
        sequence=8,
        issued_on=date(2026, 10, 2),
        due_on=date(2026, 11, 1),
        subtotal="10",
        total="10",
    )
    return Billing(
        world, version, invoice, credit_note, draft, payment, september, october, b_invoice
    )

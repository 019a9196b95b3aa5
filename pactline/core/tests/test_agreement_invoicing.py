"""Invoicing terms: tax, when invoices fall due, late payment, the diversion prepayment,
pass-through charges, how credits are given and the parties' tax ids."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pactline.core.agreement import (
    AgreementDocument,
    dump_agreement_yaml,
    parse_agreement,
)
from pactline.core.agreement.commercial import DiversionPrepayment, LatePayment, Tax
from pactline.core.tests.agreement_samples import (
    MINIMAL,
    brief,
    edit,
    errors_of,
    line_of,
)

PRICE = "      rate: 1.25\n"
MOBILE_FEE = "  diversion_fees: [{destination: mobile, rate: 0.28}]\n"


def _pricing(extra: str) -> str:
    """MINIMAL with ``extra`` lines added to its pricing section."""
    return edit(MINIMAL, PRICE, PRICE + extra)


def test_documents_without_the_terms_keep_their_meaning() -> None:
    doc = parse_agreement(MINIMAL)
    pricing = doc.pricing
    assert (pricing.tax, pricing.late_payment, pricing.diversion_prepayment) == (None, None, None)
    assert pricing.pass_through_markup_percent is None  # pass-through charges are not billed
    assert (pricing.due_on_request, pricing.payment_terms_days) == (False, 30)
    assert doc.service_credits is not None
    assert doc.service_credits.applied_as == "invoice_line"
    assert doc.parties.provider.tax_id is None and doc.parties.client.tax_id is None


def test_call_centre_states_gst_due_on_request_and_a_prepayment(
    examples: dict[str, AgreementDocument],
) -> None:
    doc = examples["call-centre-per-minute.yaml"]
    pricing = doc.pricing
    assert pricing.tax == Tax(name="GST", rate_percent=Decimal(10), inclusive=False)
    assert (pricing.due_on_request, pricing.payment_terms_days) == (True, 0)
    assert pricing.late_payment == LatePayment(
        interest_percent_per_year=Decimal("10.00"), grace_days=7
    )
    assert pricing.diversion_prepayment == DiversionPrepayment(
        amount=Decimal("500.00"), when_exhausted="refuse"
    )
    assert pricing.pass_through_markup_percent == Decimal(0)  # billed at cost
    assert doc.parties.provider.tax_id == "ABN 51 824 753 556"
    assert doc.parties.client.tax_id == "ABN 37 605 912 448"


def test_chinese_agreement_has_vat_in_its_prices_and_credit_notes(
    examples: dict[str, AgreementDocument],
) -> None:
    doc = examples["customer-service-zh.yaml"]
    assert doc.pricing.tax == Tax(name="增值税", rate_percent=Decimal(6), inclusive=True)
    assert doc.pricing.payment_terms_days == 45 and not doc.pricing.due_on_request
    assert doc.service_credits is not None
    assert doc.service_credits.applied_as == "credit_note"
    assert doc.parties.provider.tax_id == "91310115MA1K3Y8Q2P"


def test_general_outsourcing_has_no_tax_and_a_late_fee(
    examples: dict[str, AgreementDocument],
) -> None:
    pricing = examples["general-outsourcing.yaml"].pricing
    assert pricing.tax is None
    assert pricing.late_payment == LatePayment(fixed_fee=Decimal("150.00"), grace_days=10)
    assert pricing.pass_through_markup_percent is None


def test_telecom_tiers_adds_gst_and_charges_late_interest(
    examples: dict[str, AgreementDocument],
) -> None:
    doc = examples["telecom-tiers.yaml"]
    assert doc.pricing.tax == Tax(name="GST", rate_percent=Decimal(18), inclusive=False)
    assert doc.pricing.late_payment == LatePayment(interest_percent_per_year=Decimal("18.00"))
    assert doc.pricing.payment_terms_days == 30
    assert doc.parties.client.tax_id == "29AACCM7316K1ZQ"


def test_due_on_request_without_terms_is_due_at_once_and_round_trips() -> None:
    doc = parse_agreement(_pricing("  due_on_request: true\n"))
    assert (doc.pricing.due_on_request, doc.pricing.payment_terms_days) == (True, 0)
    assert parse_agreement(dump_agreement_yaml(doc)) == doc
    stated = parse_agreement(_pricing("  due_on_request: true\n  payment_terms_days: 0\n"))
    assert stated == doc


def test_due_on_request_refuses_payment_terms() -> None:
    text = _pricing("  due_on_request: true\n  payment_terms_days: 14\n")
    errors = errors_of(text)
    assert brief(errors) == [
        ("pricing.payment_terms_days", "not_applicable", line_of(text, "payment_terms_days"))
    ]
    assert errors[0].message == "does not apply when due_on_request is true"


def test_late_payment_needs_interest_or_a_fee() -> None:
    text = _pricing("  late_payment:\n    grace_days: 5\n")
    errors = errors_of(text)
    assert brief(errors) == [("pricing.late_payment", "at_least_one", line_of(text, "late_pay"))]
    assert errors[0].message == "give at least one of: interest_percent_per_year, fixed_fee"


def test_diversion_prepayment_needs_diversion_fees() -> None:
    text = _pricing("  diversion_prepayment:\n    amount: 500\n")
    errors = errors_of(text)
    assert brief(errors) == [
        ("pricing.diversion_prepayment", "not_applicable", line_of(text, "diversion_prep"))
    ]
    assert errors[0].message == "does not apply when diversion_fees is empty"
    fees = "  diversion_fees:\n    - destination: mobile\n      rate: 0.28\n"
    doc = parse_agreement(_pricing(fees + "  diversion_prepayment:\n    amount: 500\n"))
    assert doc.pricing.diversion_prepayment == DiversionPrepayment(amount=Decimal(500))
    assert doc.pricing.diversion_prepayment.when_exhausted == "refuse"


@pytest.mark.parametrize(
    ("extra", "path", "code"),
    [
        ("  tax: {name: VAT, rate_percent: 100.5}\n", "pricing.tax.rate_percent", "le"),
        ("  tax: {name: VAT, rate_percent: 7.125}\n", "pricing.tax.rate_percent", "decimal_places"),
        ("  tax: {rate_percent: 20}\n", "pricing.tax.name", "required"),
        (
            "  late_payment: {interest_percent_per_year: -1}\n",
            "pricing.late_payment.interest_percent_per_year",
            "ge",
        ),
        (
            "  late_payment: {fixed_fee: 10, grace_days: -1}\n",
            "pricing.late_payment.grace_days",
            "ge",
        ),
        (
            MOBILE_FEE + "  diversion_prepayment: {amount: 0}\n",
            "pricing.diversion_prepayment.amount",
            "gt",
        ),
        (
            MOBILE_FEE + "  diversion_prepayment: {amount: 100, when_exhausted: stop}\n",
            "pricing.diversion_prepayment.when_exhausted",
            "choice",
        ),
        ("  pass_through_markup_percent: -5\n", "pricing.pass_through_markup_percent", "ge"),
        ("  due_on_request: maybe\n", "pricing.due_on_request", "type_boolean"),
    ],
)
def test_bad_values_are_reported_at_their_field(extra: str, path: str, code: str) -> None:
    assert [(e.path, e.code) for e in errors_of(_pricing(extra))] == [(path, code)]


def test_credits_are_given_as_a_line_or_a_credit_note() -> None:
    text = edit(MINIMAL, "  scheme: allocation\n", "  scheme: allocation\n  applied_as: cash\n")
    errors = errors_of(text)
    assert brief(errors) == [("service_credits.applied_as", "choice", line_of(text, "cash"))]
    assert errors[0].message == "must be one of: invoice_line, credit_note"

"""The reports' service-credit section: the month's credit memo as the client sees it, and
"not measured" with the reason for a period without one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from pactline.billing.tests.pages_support import Billing, billing_fixture  # noqa: F401
from pactline.reports.data import report_content, report_period, report_spec
from pactline.reports.presentation import report_view

pytestmark = pytest.mark.django_db

REPORT = "Monthly performance and billing statement"


def _content(billing: Billing, first: date):  # type: ignore[no-untyped-def]
    client = billing.world.client_a
    spec = report_spec(client, REPORT, datetime(2026, 11, 1, tzinfo=UTC))
    return report_content(client, spec, report_period(client, "monthly", first))


def test_a_closed_month_reports_its_credits(billing: Billing) -> None:
    content = _content(billing, date(2026, 9, 1))
    assert content.unavailable == []
    (month,) = content.sections["service_credits"].months
    assert (month.month, str(month.total), str(month.charges)) == (
        date(2026, 9, 1),
        "200.000000",
        "1234.500000",
    )
    assert [(line.reference, line.status, str(line.credited)) for line in month.lines] == [
        ("phone.answer_within", "credited", "200"),
        ("phone.abandon_rate", "excluded", "0"),
    ]
    section = {s.key: s for s in report_view(content, with_charts=False).sections}[
        "service_credits"
    ]
    (table,) = section.tables
    assert [[cell.text for cell in row] for row in table.rows] == [
        [
            "phone.answer_within",
            "80",
            "71.50",
            "200.00",
            "phone.answer_within missed: 10 percent of the at-risk amount 2000",
        ],
        [
            "phone.abandon_rate",
            "5",
            "9.20",
            "0.00",
            (
                "phone.abandon_rate missed, excluded (force majeure: Storm outage; approved by "
                "client:jane): no credit"
            ),
        ],
    ]
    assert table.notes == ["Credited: 200.00 AUD (on charges of 1,234.50 AUD)."]
    with translation.override("zh-hans"):
        chinese = {s.key: s for s in report_view(content, with_charts=False).sections}
    assert chinese["service_credits"].tables[0].rows[0][4].text == (
        "phone.answer_within 未达标：抵扣风险金额 2000 的 10%"
    )


def test_a_month_whose_credits_are_on_a_draft_is_not_measured(billing: Billing) -> None:
    """October's memo rides on a draft: the client's report does not show it yet."""
    content = _content(billing, date(2026, 10, 1))
    assert content.sections["service_credits"].months == []
    section = {s.key: s for s in report_view(content, with_charts=False).sections}[
        "service_credits"
    ]
    assert section.tables == []
    assert section.notes == [
        (
            "Not measured: no calendar month of this period has been closed yet. Service"
            " credits are computed per month at month close, from the issued compliance"
            " statement."
        )
    ]

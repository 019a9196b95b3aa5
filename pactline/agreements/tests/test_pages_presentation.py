"""Unit tests of the document → view-model shaping (no database, no HTTP)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from pactline.agreements.models import VersionStatus
from pactline.agreements.presentation import agreement_view, version_actions
from pactline.agreements.presentation.commercial import price_item_view
from pactline.agreements.presentation.labels import duration, money, percent, plain, rounding
from pactline.agreements.presentation.sections import calendar_view, interval_view
from pactline.agreements.tests.test_pages_support import example_text
from pactline.core.agreement import AgreementDocument, CalendarSpec, PerMinute, parse_agreement
from pactline.tenancy.access import ANONYMOUS, Actor, system_actor
from pactline.tenancy.models import Role


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def _doc(name: str) -> AgreementDocument:
    return parse_agreement(example_text(name))


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("80.00"), "80"), (Decimal("0.0125"), "0.0125"), (Decimal("12.50"), "12.5"), (3, "3")],
)
def test_plain_numbers(value: Decimal | int, text: str) -> None:
    assert plain(value) == text


def test_percent_and_money() -> None:
    assert percent(Decimal("99.50")) == "99.5%"
    assert money(Decimal("2500"), "CNY") == "CNY 2,500.00"
    assert money(Decimal("1.5"), "USD") == "USD 1.50"
    assert money(Decimal("0.0125"), "AUD") == "AUD 0.0125"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (20, "20 s"),
        (60, "1 min"),
        (90, "1 min 30 s"),
        (3600, "1 h"),
        (5400, "1 h 30 min"),
        (432000, "120 h"),
    ],
)
def test_durations(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_rounding_is_minimum_slash_increment() -> None:
    assert rounding(30, 6) == "30/6 (first 30 s, then every 6 s)"


def test_intervals_show_overnight_and_midnight() -> None:
    assert interval_view(540, 720).text == "09:00–12:00"
    overnight = interval_view(22 * 60, 30 * 60)
    assert (overnight.text, overnight.overnight) == ("22:00–06:00", True)
    assert interval_view(0, 1440).text == "00:00–24:00"


def test_weekly_grid_with_lunch_break_holidays_and_override() -> None:
    doc = _doc("customer-service-zh")
    view = calendar_view("workdays", doc.calendars["workdays"], year=2026, used_by=["Phone"])

    assert [row.day for row in view.week] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]  # fmt: skip
    assert [i.text for i in view.week[0].intervals] == ["09:00–12:00", "13:30–18:00"]
    assert view.week[5].intervals == [] and view.week[6].intervals == []
    assert view.holidays == "Public holidays of CN"
    assert view.overrides[0].day == "2026-06-18"
    assert [i.text for i in view.overrides[0].intervals] == ["09:00–12:00", "13:30–21:00"]
    # China's 2026 make-up working days come from the holidays data (e.g. Sunday 4 January).
    assert any(day.isoformat() == "2026-01-04" for day in view.make_up_workdays)
    assert not view.always


def test_around_the_clock_calendar() -> None:
    spec = CalendarSpec.model_validate({"timezone": "America/New_York", "hours": "24/7"})
    view = calendar_view("critical", spec, year=2026, used_by=[])
    assert view.always
    assert all(row.intervals[0].text == "00:00–24:00" for row in view.week)


def test_service_levels_in_words() -> None:
    levels = {
        level.code: level for level in agreement_view(_doc("general-outsourcing")).service_levels
    }

    answer = levels["phone.answer_within"]
    assert answer.definition.startswith("SL-C: answered within the threshold")
    assert answer.target == "≥ 80% answered within 20 s"
    assert "Short abandons: under 5 s" in answer.notes

    first = levels["email.first_response"]
    assert first.per_priority[0] == ("critical", "1 h")
    assert first.time_basis == "business time"
    assert not levels["phone.aht"].credit_bearing


def test_per_minute_price_with_tiers() -> None:
    item = PerMinute.model_validate(
        {
            "model": "per_minute",
            "name": "Inbound",
            "increment_seconds": 6,
            "minimum_seconds": 30,
            "tiers": [{"up_to": 10000, "rate": "1.20"}, {"rate": "0.95"}],
            "tier_mode": "all_units",
        }
    )
    view = price_item_view(item, "EUR")
    assert view.rounding == "30/6 (first 30 s, then every 6 s)"
    assert view.unit == "per minute of talk, hold"
    assert view.tiers == [("1–10,000", "EUR 1.20"), ("from 10,001", "EUR 0.95")]
    assert view.tier_mode == "all units at the rate of the band the month reaches"


def test_credits_bands_and_allocations() -> None:
    credits = agreement_view(_doc("call-centre-per-minute")).credits
    assert credits is not None
    assert credits.at_risk == credits.cap == "12%"
    assert credits.bands[0] == ("0 to 2 points", "25%")
    assert credits.bands[-1] == ("more than 10 points", "100%")
    assert credits.allocations[0][0] == "phone.answer_within"


def test_the_whole_document_in_chinese() -> None:
    with translation.override("zh-hans"):
        view = agreement_view(_doc("customer-service-zh"))
    assert view.calendars[0].week[0].day == "星期一"
    assert view.channels[0].kind == "电话"


def _version(
    status: VersionStatus,
    accepted: bool = False,
    *,
    acceptance_required: bool = False,
    override_permitted: bool = False,
) -> Any:
    return SimpleNamespace(
        client_id=7,
        status=status,
        accepted_at=object() if accepted else None,
        acceptance_required=acceptance_required,
        override_permitted=override_permitted,
    )


def _actor(role: Role, client_id: int | None = 7) -> Actor:
    return Actor(user_id=1, audit_label="user:x", grants={client_id: frozenset({role})})


def test_version_actions_follow_permission_and_status() -> None:
    admin, manager = _actor(Role.PROVIDER_ADMIN, None), _actor(Role.CLIENT_MANAGER)
    draft, proposed = _version(VersionStatus.DRAFT), _version(VersionStatus.PROPOSED)

    assert version_actions(admin, draft).can_propose
    assert not version_actions(admin, proposed).can_accept  # the provider cannot accept
    assert version_actions(admin, proposed).can_activate
    assert version_actions(manager, proposed).can_accept
    assert not version_actions(manager, _version(VersionStatus.PROPOSED, accepted=True)).can_accept
    assert not version_actions(manager, draft).any
    assert not version_actions(ANONYMOUS, proposed).any
    assert not version_actions(_actor(Role.CLIENT_VIEWER), proposed).any
    assert version_actions(system_actor(), draft).can_propose


@pytest.mark.parametrize(
    ("accepted", "override_permitted", "can_activate", "needs_override"),
    [
        (False, False, False, False),
        (False, True, True, True),
        (True, False, True, False),
        (True, True, True, False),
    ],
)
def test_activation_waits_for_the_clients_acceptance_where_required(
    accepted: bool, override_permitted: bool, can_activate: bool, needs_override: bool
) -> None:
    admin = _actor(Role.PROVIDER_ADMIN, None)
    version = _version(
        VersionStatus.PROPOSED,
        accepted,
        acceptance_required=True,
        override_permitted=override_permitted,
    )
    actions = version_actions(admin, version)
    assert (actions.can_activate, actions.needs_override) == (can_activate, needs_override)


def test_invoicing_terms_in_words() -> None:
    view = agreement_view(_doc("call-centre-per-minute"))
    pricing = view.pricing
    assert pricing.tax == "GST at 10%, added to the prices"
    assert pricing.payment_terms == "Invoices are issued when the client asks and are due at once"
    assert pricing.late_payment == "interest at 10% a year on invoices paid more than 7 days late"
    assert pricing.diversion_prepayment == (
        "AUD 500.00 paid before calls are forwarded, drawn down by the fees;"
        " once it is used up, calls are no longer forwarded"
    )
    assert pricing.pass_through == "Billed at cost"
    assert view.provider.tax_id == "ABN 51 824 753 556"
    assert view.credits is not None
    assert view.credits.applied_as == "As a line on the month's invoice"
    outsourcing = agreement_view(_doc("general-outsourcing")).pricing
    assert outsourcing.tax == ""
    assert outsourcing.payment_terms == "30 days after the invoice date"
    assert outsourcing.late_payment == "a fee of USD 150.00 on invoices paid more than 10 days late"
    assert outsourcing.pass_through == "Not billed"


def test_invoicing_terms_in_chinese() -> None:
    with translation.override("zh-hans"):
        view = agreement_view(_doc("customer-service-zh"))
    assert view.pricing.tax == "增值税 税率 6%，已含在价格中"
    assert view.credits is not None
    assert view.credits.applied_as == "单独开具贷项通知单"
    with translation.override("zh-hans"):
        telecom = agreement_view(_doc("telecom-tiers")).pricing
    assert telecom.late_payment == "发票逾期付款的，按年利率 18% 计息"


def test_service_map_rows_in_the_order_they_apply() -> None:
    rows = agreement_view(_doc("call-centre-per-minute")).service_map
    assert [(row.basis, row.key, row.service) for row in rows] == [
        ("Queue", "support", "Inbound support"),
        ("Queue", "billing", "Billing inquiries"),
        ("Queue", "complaints", "Complaint handling"),
        ("Queue", "faults", "Troubleshooting"),
        ("Queue", "faults-line", "Troubleshooting"),
        ("Dialled number", "+61 1800 555 011", "Troubleshooting"),
        ("Case category", "Inquiry", "Inbound support"),
        ("Case category", "Complaint", "Complaint handling"),
        ("Case category", "Billing inquiry", "Billing inquiries"),
        ("Case category", "Troubleshooting", "Troubleshooting"),
        ("Outbound call in no mapped queue", "", "Outbound calling"),
        ("Anything else", "", "Inbound support"),
    ]
    with translation.override("zh-hans"):
        chinese = agreement_view(_doc("customer-service-zh")).service_map
    assert (chinese[0].basis, chinese[0].key, chinese[0].service) == ("队列", "support", "呼入支持")
    assert (chinese[-2].basis, chinese[-2].service) == ("未映射队列的外呼", "回访")
    assert (chinese[-1].basis, chinese[-1].service) == ("其他一切", "呼入支持")

"""The four example agreements load, say what they should, and round-trip."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import yaml

from pactline.core.agreement import (
    AgreementDocument,
    ClockMetric,
    PerMinute,
    PerTicket,
    ServiceLevelMetric,
    agreement_from_data,
    agreement_to_data,
    dump_agreement_json,
    dump_agreement_yaml,
    parse_agreement,
)
from pactline.core.tests.agreement_samples import EXAMPLE_NAMES, MINIMAL, example_text


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_round_trips_through_yaml_and_json(
    name: str, examples: dict[str, AgreementDocument]
) -> None:
    doc = examples[name]
    assert parse_agreement(dump_agreement_yaml(doc)) == doc
    assert parse_agreement(dump_agreement_json(doc)) == doc
    assert parse_agreement(dump_agreement_yaml(doc), fmt="yaml") == doc
    assert parse_agreement(dump_agreement_json(doc).encode("utf-8"), fmt="json") == doc


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_data_is_json_compatible_and_reloads(
    name: str, examples: dict[str, AgreementDocument]
) -> None:
    doc = examples[name]
    data = agreement_to_data(doc)
    assert json.loads(json.dumps(data)) == data
    assert AgreementDocument.model_validate(data) == doc
    assert agreement_from_data(data) == doc
    assert list(data)[:5] == ["schema_version", "reference", "title", "language", "effective_from"]
    assert data["change_control"]["notice_days"] == doc.change_control.notice_days


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_loads_from_bytes_with_bom(
    name: str, examples: dict[str, AgreementDocument]
) -> None:
    assert parse_agreement(b"\xef\xbb\xbf" + example_text(name).encode("utf-8")) == examples[name]


def test_examples_have_distinct_clients(examples: dict[str, AgreementDocument]) -> None:
    codes = [doc.parties.client.code for doc in examples.values()]
    assert codes == ["northwind-retail", "huaxin-home", "kestrel-energy", "meridian-telecom"]


def test_general_outsourcing(examples: dict[str, AgreementDocument]) -> None:
    doc = examples["general-outsourcing.yaml"]
    assert set(doc.channels) == {"phone", "email", "chat", "social"}
    assert {
        "inbound_support",
        "outbound_calling",
        "virtual_assistance",
        "follow_up",
        "satisfaction_survey",
    } <= set(doc.scope.service_types)
    critical = doc.calendars[doc.channels["phone"].critical_calendar or ""]
    assert critical.always_open
    assert critical.weekly_intervals() == {day: [(0, 1440)] for day in range(7)}
    business = doc.calendars["business"]
    assert business.timezone == "America/New_York"
    assert business.weekly_intervals()[5] == [(540, 1020)]
    assert business.weekly_intervals()[6] == []
    assert business.override_intervals()[date(2026, 11, 28)] == [(480, 1320)]
    assert date(2026, 7, 3) in business.public_holidays([2026])  # Independence Day (observed)
    assert {item.model for item in doc.pricing.items} == {"per_hour", "per_ticket"}
    credits = doc.service_credits
    assert credits is not None
    assert credits.earn_back.enabled and credits.earn_back.consecutive_months_met == 3
    assert sum(a.allocation_percent for a in credits.allocations) == Decimal(165)
    answer = doc.service_level("phone.answer_within")
    assert isinstance(answer, ServiceLevelMetric)
    assert (answer.variant, answer.threshold_seconds, answer.short_abandon_seconds) == (
        "SL-C",
        20,
        5,
    )


def test_chinese_customer_service(examples: dict[str, AgreementDocument]) -> None:
    doc = examples["customer-service-zh.yaml"]
    assert doc.language == "zh-Hans"
    assert doc.title == "华信家居客服工作服务条款"
    workdays = doc.calendars["workdays"]
    assert workdays.timezone == "Asia/Shanghai"
    assert workdays.weekly_intervals()[0] == [(540, 720), (810, 1080)]
    assert workdays.weekly_intervals()[5] == []
    assert date(2026, 10, 1) in workdays.public_holidays([2026])
    assert date(2026, 2, 28) in workdays.make_up_workdays([2026])  # a Saturday worked (调休)
    assert doc.channels["social"].addresses == ("wechat:华信家居服务号", "weibo:华信家居官方")
    answer = doc.service_level("phone.answer_within")
    assert isinstance(answer, ServiceLevelMetric)
    assert answer.threshold_seconds == 20
    assert {"aht", "fcr"} <= set(doc.service_levels["phone"])
    assert isinstance(doc.service_level("chat.first_response"), ClockMetric)
    report = doc.reporting.reports[0]
    assert report.frequency == "monthly"
    assert set(report.contents) >= {
        "volume",
        "response_times",
        "resolution_rate",
        "csat",
        "common_issues",
    }
    assert doc.pricing.currency == "CNY"
    dumped = dump_agreement_yaml(doc)
    assert "title: 华信家居客服工作服务条款\n" in dumped
    assert "\\u" not in dumped
    assert "华信家居" in dump_agreement_json(doc)


def test_call_centre_per_minute(examples: dict[str, AgreementDocument]) -> None:
    doc = examples["call-centre-per-minute.yaml"]
    per_minute = [item for item in doc.pricing.items if isinstance(item, PerMinute)]
    assert [(i.minimum_seconds, i.increment_seconds) for i in per_minute] == [(30, 6), (60, 60)]
    assert per_minute[0].rate == Decimal("1.45")
    assert {fee.destination for fee in doc.pricing.diversion_fees} == {"mobile", "international"}
    faults = doc.calendars["faults-line"]
    assert faults.weekly_intervals()[0] == [(360, 1320), (1320, 1800)]  # 22:00-06:00 ends next day
    assert faults.zone.key == "Australia/Adelaide"
    access = doc.data_protection.access_on_request
    assert access is not None and access.recordings and access.transcripts
    credits = doc.service_credits
    assert credits is not None and credits.scheme == "bands"
    assert [band.shortfall_up_to_points for band in credits.bands or ()] == [2, 5, 10, None]
    assert doc.priorities == ("emergency", "urgent", "standard")


def test_telecom_tiers(examples: dict[str, AgreementDocument]) -> None:
    doc = examples["telecom-tiers.yaml"]
    assert list(doc.tiers) == ["basic", "premium", "enterprise"]
    enterprise = doc.tiers["enterprise"]
    assert enterprise.response_factor == Decimal("0.25")
    assert enterprise.dedicated_account_manager and enterprise.account_manager is not None
    assert doc.tiers["premium"].priority_routing
    assert {"troubleshooting", "technical_support", "billing_inquiry", "service_activation"} <= set(
        doc.scope.service_types
    )
    ladder = doc.escalation.ladders[0]
    assert [level.level for level in ladder.levels] == [1, 2, 3, 4]
    kinds = {action.type for level in ladder.levels for action in level.actions}
    assert {"notify_email", "webhook", "notify_client_contacts"} <= kinds
    tickets = doc.pricing.items[0]
    assert isinstance(tickets, PerTicket)
    assert tickets.tier_mode == "graduated"
    assert [(t.up_to, t.rate) for t in tickets.tiers or ()] == [
        (10000, Decimal("90.00")),
        (25000, Decimal("80.00")),
        (None, Decimal("70.00")),
    ]
    zone = doc.calendars["support"].zone
    assert datetime(2026, 6, 1, tzinfo=zone).utcoffset() == timedelta(hours=5, minutes=30)


def test_yaml_output_keeps_model_order_and_reads_with_plain_pyyaml() -> None:
    doc = parse_agreement(MINIMAL)
    dumped = dump_agreement_yaml(doc)
    plain = yaml.safe_load(dumped)
    assert list(plain) == [name for name in AgreementDocument.model_fields if name != "tier"]
    assert plain["pricing"]["items"][0]["rate"] == 1.25
    assert "rate: 1.25\n" in dumped
    assert "hours: 24/7\n" in dumped


def test_minimal_document_defaults() -> None:
    doc = parse_agreement(MINIMAL)
    assert doc.priorities == ("critical", "high", "normal", "low")
    assert doc.change_control.notice_days == 30
    assert doc.change_control.requires_written_acceptance
    assert doc.term.end is None and doc.term.renewal == "none"
    assert doc.tier is None and doc.tiers == {}
    assert doc.data_protection.card_data.policy == "never_store"
    assert doc.data_protection.card_data.pan_display == "last4"
    assert doc.escalation.ladders == () and doc.reporting.reports == ()


def test_json_schema_is_generated() -> None:
    schema = AgreementDocument.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "service_levels" in schema["required"]

"""The typed accessors of `pactline.agreements.terms`, on the shipped examples."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from conftest import World
from pactline.agreements import terms
from pactline.agreements.documents import document_from_data
from pactline.agreements.models import AgreementVersion
from pactline.agreements.tests.documents import example_data
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    Agreements,
    agreements_fixture,
)
from pactline.core.agreement import AgreementDocument


def _doc(name: str, **changes: Any) -> AgreementDocument:
    data = example_data(name)
    data.update(changes)
    return document_from_data(data)


def test_priorities_and_the_default_priority() -> None:
    kestrel = _doc("call-centre-per-minute")
    assert terms.priorities(kestrel) == ("emergency", "urgent", "standard")
    assert terms.default_priority(kestrel) == "standard"  # no "normal": the least urgent
    assert terms.top_priority(kestrel) == "emergency"
    general = _doc("general-outsourcing")
    assert terms.default_priority(general) == "normal"
    assert terms.default_priority(None) == "normal"
    assert terms.priorities(None) == ("critical", "high", "normal", "low")


def test_calendar_for_a_channel_and_priority() -> None:
    general = _doc("general-outsourcing")
    assert terms.calendar_name_for(general, "phone", "critical") == "critical"
    assert terms.calendar_name_for(general, "phone", "high") == "business"
    assert terms.calendar_name_for(general, "chat", "critical") == "business"
    assert terms.calendar_name_for(general, "web", "normal") is None
    assert terms.has_calendar(general, "business") is True
    assert terms.has_calendar(general, "outbound-evenings") is False


def test_support_addresses_and_accounts() -> None:
    general = _doc("general-outsourcing")
    assert terms.email_addresses(general) == [
        "care@northwind-retail.example",
        "vip@northwind-retail.example",
    ]
    assert terms.social_accounts(general) == [
        "facebook:NorthwindRetail",
        "x:NorthwindHelp",
        "instagram:northwind.retail",
    ]
    assert terms.chat_frame_origins(general) == ["https://www.northwind-retail.example"]
    zh = _doc("customer-service-zh")
    assert terms.email_addresses(zh) == []  # no email channel
    assert terms.email_addresses(None) == []
    assert terms.chat_frame_origins(None) == []


def test_a_disabled_channel_serves_nothing() -> None:
    data = example_data("general-outsourcing")
    data["channels"]["chat"]["enabled"] = False
    data["channels"]["email"]["addresses"] = [
        "CARE@Northwind-Retail.example",
        "care@northwind-retail.example",
    ]
    doc = document_from_data(data)
    assert terms.chat_channel(doc) is None
    assert terms.chat_frame_origins(doc) == []
    assert terms.channel_spec(doc, "chat") is not None
    assert terms.email_addresses(doc) == ["care@northwind-retail.example"]


def test_clearance_card_data_and_measurement() -> None:
    telecom = _doc("telecom-tiers")
    assert terms.card_data(telecom).pan_display == "bin_last4"
    assert terms.confidentiality_required(telecom) is True
    assert terms.confidentiality_required(None) is True  # no agreement: the stricter reading
    assert terms.pause_statuses(telecom) == frozenset({"pending_customer", "pending_client"})
    assert terms.fcr_window_days(telecom, "phone") == 7
    assert terms.home_timezone(telecom) == "Asia/Kolkata"
    data = example_data("general-outsourcing")
    data["data_protection"]["confidentiality_agreement_required"] = False
    assert terms.confidentiality_required(document_from_data(data)) is False


def test_the_fcr_window_is_the_channel_s_own_else_any_else_seven_days() -> None:
    data = example_data("general-outsourcing")
    fcr = {"kind": "fcr", "method": "repeat_contact", "window_days": 3, "target_percent": 70}
    data["service_levels"]["email"]["fcr_email"] = fcr
    doc = document_from_data(data)
    assert terms.fcr_window_days(doc, "email") == 3
    assert terms.fcr_window_days(doc, "chat") == terms.fcr_window_days(doc, "phone")
    for metrics in data["service_levels"].values():
        for name in [n for n, m in metrics.items() if m["kind"] == "fcr"]:
            del metrics[name]
    assert terms.fcr_window_days(document_from_data(data), "email") == 7


@pytest.mark.django_db
def test_terms_are_cached_per_version_and_content(
    world: World,
    agreements: Agreements,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    version = agreements.a_active
    first = version.terms
    again = AgreementVersion.objects.get(pk=version.pk)
    with django_assert_num_queries(0):
        assert again.terms is first
    assert first.parties.client.code == version.client.code
    unsaved = AgreementVersion(document=example_data("telecom-tiers"), content_hash="x")
    assert unsaved.terms.reference == _doc("telecom-tiers").reference

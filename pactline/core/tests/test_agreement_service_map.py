"""``scope.service_map``: which service type a call, case or agent hour belongs to."""

from __future__ import annotations

from pactline.core.agreement import AgreementDocument, parse_agreement, service_type_of
from pactline.core.agreement.base import phone_key
from pactline.core.agreement.parties import Scope, ServiceMap
from pactline.core.tests.agreement_samples import (
    MINIMAL,
    brief,
    edit,
    errors_of,
    line_of,
)

SCOPE = """\
scope:
  service_types: [inbound_support]
  case_categories: [inquiry]
  languages: [en]
"""


def _scope(lines: str) -> str:
    """MINIMAL with a wider scope and ``lines`` (indented under ``scope:``) added to it."""
    wider = (
        "scope:\n"
        "  service_types: [inbound_support, complaint_handling, outbound_calling]\n"
        "  case_categories: [inquiry, complaint]\n"
        "  languages: [en]\n"
    )
    return edit(MINIMAL, SCOPE, wider + lines)


# --- Schema ---------------------------------------------------------------------------------


def test_without_a_map_nothing_is_mapped() -> None:
    doc = parse_agreement(MINIMAL)
    assert doc.scope.service_map is None
    assert service_type_of(doc.scope, channel="phone", queue="support") is None


def test_every_part_is_optional() -> None:
    doc = parse_agreement(_scope("  service_map: {}\n"))
    assert doc.scope.service_map == ServiceMap()
    assert service_type_of(doc.scope, channel="phone", queue="support") is None


def test_a_mapped_service_outside_the_scope_is_an_error_at_its_entry() -> None:
    text = _scope(
        "  service_map:\n"
        "    queues: {sales: troubleshooting}\n"
        '    numbers: {"+61 8 8555 0100": billing_inquiry}\n'
        "    categories: {complaint: follow_up}\n"
        "    outbound: proactive_outreach\n"
        "    default: technical_support\n"
    )
    errors = errors_of(text)
    code = "service_type_not_in_scope"
    assert brief(errors) == [
        ("scope.service_map.queues.sales", code, line_of(text, "sales:")),
        ("scope.service_map.numbers.+61 8 8555 0100", code, line_of(text, "+61 8")),
        ("scope.service_map.categories.complaint", code, line_of(text, "complaint: follow")),
        ("scope.service_map.outbound", code, line_of(text, "outbound:")),
        ("scope.service_map.default", code, line_of(text, "default:")),
    ]
    assert errors[0].params == {
        "value": "troubleshooting",
        "choices": "inbound_support, complaint_handling, outbound_calling",
    }
    assert errors[0].message == (
        "service type 'troubleshooting' is not one of the agreement's services"
        " (scope.service_types): inbound_support, complaint_handling, outbound_calling"
    )


def test_a_category_outside_the_scope_is_an_error_at_its_key() -> None:
    text = _scope("  service_map:\n    categories: {billing_inquiry: inbound_support}\n")
    errors = errors_of(text)
    assert brief(errors) == [
        (
            "scope.service_map.categories.billing_inquiry",
            "case_category_not_in_scope",
            line_of(text, "billing_inquiry:"),
        )
    ]
    assert errors[0].params == {"value": "billing_inquiry", "choices": "inquiry, complaint"}


def test_unknown_codes_and_bad_numbers_are_errors_of_their_kind() -> None:
    text = _scope(
        "  service_map:\n"
        "    queues: {sales: selling}\n"
        '    numbers: {"0885550100": inbound_support}\n'
        "    categories: {grumble: complaint_handling}\n"
    )
    assert brief(errors_of(text)) == [
        ("scope.service_map.queues.sales", "choice", line_of(text, "sales:")),
        ("scope.service_map.numbers.0885550100", "phone", line_of(text, "0885550100")),
        ("scope.service_map.categories.grumble", "choice", line_of(text, "grumble:")),
    ]


def test_the_same_number_written_twice_is_a_duplicate() -> None:
    text = _scope(
        "  service_map:\n"
        "    numbers:\n"
        '      "+61 8 8555 0100": inbound_support\n'
        '      "+61-8-8555-0100": complaint_handling\n'
    )
    assert brief(errors_of(text)) == [
        ("scope.service_map.numbers.+61-8-8555-0100", "duplicate", line_of(text, "+61-8")),
    ]


# --- The resolver ---------------------------------------------------------------------------

MAP = Scope(
    service_types=("inbound_support", "complaint_handling", "billing_inquiry", "outbound_calling"),
    case_categories=("inquiry", "complaint", "billing_inquiry"),
    languages=("en",),
    service_map=ServiceMap(
        queues={"complaints": "complaint_handling", "billing": "billing_inquiry"},
        numbers={"+61 8 8555 0100": "billing_inquiry"},
        categories={"complaint": "complaint_handling"},
        outbound="outbound_calling",
        default="inbound_support",
    ),
)


def test_the_queue_comes_first() -> None:
    # A complaint in the billing queue, dialled on the complaints line, outbound: the queue.
    found = service_type_of(
        MAP,
        channel="phone",
        direction="outbound",
        queue="billing",
        number="+61885550100",
        category="complaint",
    )
    assert found == "billing_inquiry"


def test_then_the_dialled_number_in_any_spacing() -> None:
    assert service_type_of(MAP, channel="phone", queue="sales", number="+61885550100") == (
        "billing_inquiry"
    )
    assert service_type_of(
        MAP, channel="phone", number="+61 8-8555 0100", category="complaint"
    ) == ("billing_inquiry")


def test_then_the_case_category() -> None:
    found = service_type_of(
        MAP, channel="email", queue="sales", number="+61299990000", category="complaint"
    )
    assert found == "complaint_handling"


def test_then_outbound_for_an_outbound_call() -> None:
    assert service_type_of(MAP, channel="phone", direction="outbound", queue="sales") == (
        "outbound_calling"
    )
    # Only a phone call is an outbound call; an email sent out falls to the default.
    assert service_type_of(MAP, channel="email", direction="outbound") == "inbound_support"


def test_then_the_default() -> None:
    assert service_type_of(MAP, channel="phone", direction="inbound", queue="sales") == (
        "inbound_support"
    )
    assert service_type_of(MAP, channel="chat", category="inquiry") == "inbound_support"


def test_none_when_nothing_applies() -> None:
    no_default = MAP.model_copy(
        update={"service_map": ServiceMap(queues={"complaints": "complaint_handling"})}
    )
    assert service_type_of(no_default, channel="phone", queue="sales") is None
    assert service_type_of(no_default, channel="phone", direction="outbound") is None
    assert service_type_of(no_default, channel="phone", queue="complaints") == (
        "complaint_handling"
    )


def test_phone_key_keeps_the_digits_and_the_plus() -> None:
    assert phone_key("+61 1300-555 010") == "+611300555010"


# --- The examples ---------------------------------------------------------------------------


def test_the_examples_maps(examples: dict[str, AgreementDocument]) -> None:
    maps = {name: doc.scope.service_map for name, doc in examples.items()}
    assert maps["call-centre-per-minute.yaml"] == ServiceMap(
        queues={
            "support": "inbound_support",
            "billing": "billing_inquiry",
            "complaints": "complaint_handling",
            "faults": "troubleshooting",
            "faults-line": "troubleshooting",
        },
        numbers={"+61 1800 555 011": "troubleshooting"},
        categories={
            "inquiry": "inbound_support",
            "complaint": "complaint_handling",
            "billing_inquiry": "billing_inquiry",
            "troubleshooting": "troubleshooting",
        },
        outbound="outbound_calling",
        default="inbound_support",
    )
    assert maps["customer-service-zh.yaml"] == ServiceMap(
        queues={
            "support": "inbound_support",
            "complaints": "complaint_handling",
            "activation": "service_activation",
        },
        categories={
            "inquiry": "inbound_support",
            "support_request": "inbound_support",
            "complaint": "complaint_handling",
            "service_activation": "service_activation",
        },
        outbound="follow_up",
        default="inbound_support",
    )
    assert maps["general-outsourcing.yaml"] == ServiceMap(
        queues={
            "support": "inbound_support",
            "store-assist": "virtual_assistance",
            "complaints": "complaint_handling",
            "billing": "billing_inquiry",
            "critical": "inbound_support",
        },
        categories={
            "inquiry": "inbound_support",
            "support_request": "inbound_support",
            "complaint": "complaint_handling",
            "billing_inquiry": "billing_inquiry",
        },
        outbound="outbound_calling",
        default="inbound_support",
    )
    assert maps["telecom-tiers.yaml"] == ServiceMap(
        queues={
            "support": "inbound_support",
            "faults": "troubleshooting",
            "network-faults": "troubleshooting",
            "tech-support": "technical_support",
            "billing": "billing_inquiry",
            "activation": "service_activation",
            "complaints": "complaint_handling",
        },
        categories={
            "inquiry": "inbound_support",
            "complaint": "complaint_handling",
            "troubleshooting": "troubleshooting",
            "technical_support": "technical_support",
            "billing_inquiry": "billing_inquiry",
            "service_activation": "service_activation",
        },
        default="inbound_support",
    )


def test_every_mapped_service_is_billed_by_a_price_item(
    examples: dict[str, AgreementDocument],
) -> None:
    """A service the map gives is one some price item bills (by service type, or an item
    that names no service types and so bills them all)."""
    for name, doc in examples.items():
        assert doc.scope.service_map is not None
        items = doc.pricing.items
        mapped = {service for _, _, service in doc.scope.service_map.entries()}
        billed = {
            service
            for service in mapped
            if any(not item.service_types or service in item.service_types for item in items)
        }
        assert billed == mapped, name


def test_the_kestrel_fault_line_number_as_the_telephony_data_spells_it(
    examples: dict[str, AgreementDocument],
) -> None:
    scope = examples["call-centre-per-minute.yaml"].scope
    # The demo writes dialled numbers as digits (pactline/web/demo/voice.py ``_digits``).
    assert service_type_of(scope, channel="phone", number="+611800555011") == "troubleshooting"
    assert service_type_of(scope, channel="phone", number="+611300555010") == "inbound_support"
    assert service_type_of(scope, channel="phone", queue="faults-line") == "troubleshooting"

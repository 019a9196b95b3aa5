"""Call legs rated in the database (`call_rating`) against the per-record engine, and a month
closed from them with amounts worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import World
from pactline.billing.call_rating import LegScope
from pactline.billing.close import month_close
from pactline.billing.invoice_lines import rate_version
from pactline.billing.rating_input import call_legs
from pactline.billing.tests.close_support import Loaded, call, loaded, met, statement
from pactline.core.agreement import PerCall, PerMinute, Pricing
from pactline.core.rating import Usage, rate_month
from pactline.metrics.periods import period_bounds, period_of
from pactline.metrics.timezones import client_zone

pytestmark = pytest.mark.django_db

INBOUND = "Inbound handled minutes"
OUTBOUND = "Outbound campaign minutes"
AUG_10 = datetime(2026, 8, 10, 1, 0, tzinfo=UTC)  # 10:30 in Adelaide
NIGHT = datetime(2026, 8, 10, 13, 0, tzinfo=UTC)  # 22:30 in Adelaide
SEP_2 = datetime(2026, 9, 2, 0, 0, tzinfo=UTC)
LEVELS = [
    met("phone.answer_within"),
    met("phone.emergency_answer"),
    met("phone.abandon_rate", "5", "<="),
    met("email.first_response"),
]


def kestrel_calls() -> Loaded:
    """Inbound (30/6 per call at 1.45): call "a" has two legs of two service types after hours,
    40 + 25 + 5 = 70 s -> 30 + 7 * 6 = 72 s; call "b" 20 s -> 30 s; two legs without a call
    id are two calls of 31 s -> 36 s each; an unanswered 0 s leg bills 0. 174 s = 2.9 min at
    1.45 = 4.205 -> 4.21 over 6 records; after hours 72 s = 1.2 min = 1.74, 35 percent of it
    = 0.609 -> 0.61 over call "a"'s 2 legs. Outbound (60/60 at 1.20): 61 s -> 2 min = 2.40,
    and an unreached 0 s call, 2 records. The second leg of "a" is forwarded to a mobile: 25 s
    -> 30 s at 30/6 = 0.5 min at 0.28 = 0.14. A leg without a price item, and one in
    September, are not billed. Subtotal 7.36, GST 0.736 -> 0.74, total 8.10."""
    at = loaded("call-centre-per-minute")
    call(
        at, NIGHT, INBOUND, call_id="a", service_type="inbound_support", talk_seconds=40,
        outside_hours=True,
    )  # fmt: skip
    call(
        at, NIGHT + timedelta(seconds=60), INBOUND, call_id="a", leg=1, part="leg1",
        service_type="billing_inquiry", talk_seconds=25, hold_seconds=5, outside_hours=True,
        diverted_to="mobile",
    )  # fmt: skip
    call(at, AUG_10, INBOUND, call_id="b", service_type="inbound_support", talk_seconds=20)
    for _ in range(2):
        call(at, AUG_10, INBOUND, call_id="", service_type="complaint_handling", talk_seconds=31)
    call(at, AUG_10, INBOUND, call_id="z", service_type="troubleshooting", handled=False)
    call(
        at, AUG_10, OUTBOUND, call_id="d", service_type="outbound_calling",
        direction="outbound", talk_seconds=61,
    )  # fmt: skip
    call(
        at, AUG_10, OUTBOUND, call_id="e", service_type="proactive_outreach",
        direction="outbound", handled=False,
    )  # fmt: skip
    call(at, AUG_10, "", call_id="x", service_type="inbound_support", talk_seconds=500)
    call(
        at, datetime(2026, 9, 1, 1, tzinfo=UTC), INBOUND, call_id="y",
        service_type="inbound_support", talk_seconds=500,
    )  # fmt: skip
    return at


def test_month_close_rates_call_legs_in_the_database(world: World) -> None:
    at = kestrel_calls()
    statement(at, date(2026, 8, 1), LEVELS, issued_at=SEP_2)
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 8, 1), now=SEP_2
    ).invoice
    lines = [
        (line.item, line.exact_amount, line.amount, line.usage_count)
        for line in invoice.lines.order_by("position")
    ]
    assert lines == [
        (INBOUND, "4.205", Decimal("4.21"), 6),
        (f"{INBOUND} (after hours)", "0.609", Decimal("0.61"), 2),
        (OUTBOUND, "2.4", Decimal("2.40"), 2),
        ("Chat and email contacts", "0", Decimal("0.00"), 0),
        ("Diversion to mobile", "0.14", Decimal("0.14"), 1),
    ]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("7.36"),
        Decimal("0.74"),
        Decimal("8.10"),
    )


def _variants(pricing: Pricing) -> list[Pricing]:
    """The agreement's prices with each rounding scope and each per-call count."""
    inbound, outbound = pricing.items[0], pricing.items[1]
    assert isinstance(inbound, PerMinute)
    assert isinstance(outbound, PerMinute)
    variants = [
        pricing.model_copy(
            update={
                "items": (
                    inbound.model_copy(update={"rounding_scope": scope}),
                    outbound.model_copy(update={"rounding_scope": scope}),
                )
            }
        )
        for scope in ("call", "leg", "monthly_total")
    ]
    counted = tuple(
        PerCall(
            model="per_call", name=f"Calls {counts}", rate=Decimal("2.50"), counts=counts,
            channels=("phone",),
        )
        for counts in ("handled", "offered", "outbound_attempt")
    )  # fmt: skip
    variants.append(pricing.model_copy(update={"items": counted}))
    return variants


def test_database_rating_equals_the_per_record_engine() -> None:
    at = kestrel_calls()
    first, last = period_of("monthly", date(2026, 8, 1))
    start, end = period_bounds(first, last, client_zone(at.client))
    legs, outside = call_legs(at.client, start, end)[at.version.pk]
    scope = LegScope(at.client.id, at.version.pk, start, end)

    def in_hours(moment: datetime) -> bool:
        return moment not in outside

    for pricing in _variants(at.version.terms.pricing):
        expected = [
            (line.item, line.quantity, line.amount, len(line.usage_ids))
            for line in rate_month(pricing, Usage(calls=legs), in_hours=in_hours)
        ]
        found = [
            (line.item, line.quantity, line.amount, count)
            for line, count in rate_version(pricing, Usage(), in_hours, scope)
        ]
        assert found == expected
    # Per-call counts by hand: handled inbound first legs a, b and the two without a call id
    # (4, one of them after hours); offered adds the unanswered z (5); outbound d and e (2).
    per_call = rate_version(_variants(at.version.terms.pricing)[3], Usage(), in_hours, scope)
    assert [(line.item, line.quantity, count) for line, count in per_call] == [
        ("Calls handled", 4, 4),
        ("Calls handled (after hours)", Fraction(5, 2), 1),
        ("Calls offered", 5, 5),
        ("Calls offered (after hours)", Fraction(5, 2), 1),
        ("Calls outbound_attempt", 2, 2),
        ("Diversion to mobile", Fraction(1, 2), 1),
    ]

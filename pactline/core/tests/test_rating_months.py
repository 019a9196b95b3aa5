"""Hand-made months under the example agreements' pricing, each total worked out by hand, and
the bad input the engine refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from pactline.core.agreement import Pricing, parse_agreement
from pactline.core.rating import (
    AgentHours,
    CallLeg,
    FeeOccurrence,
    PassThrough,
    RatedLine,
    TicketEvent,
    Usage,
    rate_month,
    round_line,
    total,
)
from pactline.core.tests.agreement_samples import example_text


def pricing_of(name: str) -> Pricing:
    pricing = parse_agreement(example_text(f"{name}.yaml")).pricing
    assert pricing is not None
    return pricing


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def office_hours(instant: datetime) -> bool:
    """09:00–17:00 UTC stands in for the agreement's calendar (the engine takes a predicate)."""
    return 9 <= instant.hour < 17


def by_item(lines: tuple[RatedLine, ...]) -> dict[str, RatedLine]:
    return {line.item: line for line in lines}


def rounded(lines: tuple[RatedLine, ...], currency: str) -> dict[str, Decimal]:
    return {line.item: round_line(line.amount, currency)[0] for line in lines}


# --- Per minute: call-centre-per-minute (AUD) --------------------------------------------------

INBOUND = "Inbound handled minutes"
OUTBOUND = "Outbound campaign minutes"
TICKETS = "Chat and email contacts"


def per_minute_month() -> Usage:
    s = "inbound_support"
    return Usage(
        calls=(
            CallLeg("c1.0", "c1", at(1, 10), service_type=s, talk_seconds=10),
            CallLeg("c2.0", "c2", at(1, 11), service_type=s, talk_seconds=20, hold_seconds=5,
                    acw_seconds=6),
            CallLeg("c2.1", "c2", at(1, 11, 1), service_type=s, talk_seconds=25, leg=1),
            CallLeg("c3.0", "c3", at(2, 20), service_type=s, talk_seconds=83),
            CallLeg("c4.0", "c4", at(2, 12), service_type="outbound_calling",
                    direction="outbound", talk_seconds=61, hold_seconds=30),
            CallLeg("c5.0", "c5", at(3, 13), service_type=s, handled=False),
            CallLeg("c6.0", "c6", at(3, 14), service_type=s, talk_seconds=40,
                    diverted_to="mobile"),
        ),
        tickets=(
            TicketEvent("t1", at(1, 10), "resolved", channel="chat"),
            TicketEvent("t2", at(1, 22), "resolved", channel="email"),
            TicketEvent("t3", at(2, 10), "created", channel="email"),
            TicketEvent("t4", at(2, 10), "resolved", channel="phone"),
        ),
    )  # fmt: skip


def test_per_minute_month() -> None:
    # Inbound, 1.45/min on 30/6, talk+hold+acw rounded per call:
    #   c1 10 s → 30; c2 (20+5+6) + 25 = 56 → 30 + ceil(26/6)·6 = 60; c3 83 → 30 + 9·6 = 84;
    #   c5 0 → 0; c6 40 → 42. 216 s = 3.6 min × 1.45 = 5.22.
    #   After hours (outside 09–17): c3 84 s = 1.4 min × 1.45 = 2.03, 35% → 0.7105.
    # Outbound, 1.20/min on 60/60, talk only: c4 61 → 120 s = 2 min × 1.20 = 2.40.
    # Chat/email resolved at 4.75: t1, t2 = 9.50 (t3 is created, t4 is phone);
    #   t2 after hours: 4.75 × 35% = 1.6625.
    # Diversion to mobile 0.28/min on 30/6: c6 talk 40 → 42 s = 0.7 min × 0.28 = 0.196.
    # Total 5.22 + 0.7105 + 2.40 + 9.50 + 1.6625 + 0.196 = 19.689.
    lines = rate_month(pricing_of("call-centre-per-minute"), per_minute_month(),
                       in_hours=office_hours)  # fmt: skip
    got = by_item(lines)
    assert [line.item for line in lines] == [
        INBOUND,
        f"{INBOUND} (after hours)",
        OUTBOUND,
        TICKETS,
        f"{TICKETS} (after hours)",
        "Diversion to mobile",
    ]
    assert got[INBOUND].quantity == Fraction(216, 60)
    assert got[INBOUND].amount == Decimal("5.22")
    assert got[INBOUND].usage_ids == ("c1.0", "c2.0", "c2.1", "c3.0", "c5.0", "c6.0")
    assert got[f"{INBOUND} (after hours)"].amount == Decimal("0.7105")
    assert got[f"{INBOUND} (after hours)"].usage_ids == ("c3.0",)
    assert got[OUTBOUND].amount == Decimal("2.40")
    assert got[TICKETS].amount == Decimal("9.50")
    assert got[TICKETS].usage_ids == ("t1", "t2")
    assert got[f"{TICKETS} (after hours)"].amount == Decimal("1.6625")
    assert got["Diversion to mobile"].amount == Decimal("0.196")
    assert total(lines) == Decimal("19.689")
    assert rounded(lines, "AUD") == {
        INBOUND: Decimal("5.22"),
        f"{INBOUND} (after hours)": Decimal("0.71"),
        OUTBOUND: Decimal("2.40"),
        TICKETS: Decimal("9.50"),
        f"{TICKETS} (after hours)": Decimal("1.66"),
        "Diversion to mobile": Decimal("0.20"),
    }


def test_rounding_scope_call_leg_and_monthly_total() -> None:
    # 30/6, talk only, 1.00/min. Call a: legs of 31 s and 31 s; call b: one leg of 10 s.
    # call:  a 62 → 30 + ceil(32/6)·6 = 66; b → 30; 96 s.
    # leg:   31 → 36 twice; 10 → 30; 102 s.
    # month: 72 s summed → 30 + 7·6 = 72 s.
    usage = Usage(
        calls=(
            CallLeg("a0", "a", at(1, 10), talk_seconds=31),
            CallLeg("a1", "a", at(1, 10, 1), talk_seconds=31, leg=1),
            CallLeg("b0", "b", at(1, 11), talk_seconds=10),
        )
    )
    expected = {"call": 96, "leg": 102, "monthly_total": 72}
    for scope, seconds in expected.items():
        pricing = Pricing.model_validate(
            {
                "currency": "USD",
                "items": [
                    {"model": "per_minute", "name": "Minutes", "rate": "1.00",
                     "minimum_seconds": 30, "increment_seconds": 6, "billable": ["talk"],
                     "rounding_scope": scope},
                ],
            }
        )  # fmt: skip
        (line,) = rate_month(pricing, usage)
        assert line.quantity == Fraction(seconds, 60), scope
        assert line.amount == Fraction(seconds, 60), scope


def test_per_minute_tiers_on_fractional_minutes() -> None:
    # Tiers 0–2 min @ 1.00, > 2 @ 0.50 on 0/6 (talk): 126 s = 2.1 minutes.
    # graduated: 2 × 1.00 + 0.1 × 0.50 = 2.05; all-units: past 2 so 2.1 × 0.50 = 1.05.
    # 120 s = 2 minutes exactly stays in the first band: 2.00 either way.
    for mode, expected_126, expected_120 in (
        ("graduated", "2.05", "2.00"),
        ("all_units", "1.05", "2.00"),
    ):
        pricing = Pricing.model_validate(
            {
                "currency": "USD",
                "items": [
                    {"model": "per_minute", "name": "Minutes", "increment_seconds": 6,
                     "billable": ["talk"], "tier_mode": mode,
                     "tiers": [{"up_to": 2, "rate": "1.00"}, {"rate": "0.50"}]},
                ],
            }
        )  # fmt: skip
        for seconds, expected in ((126, expected_126), (120, expected_120)):
            usage = Usage(calls=(CallLeg("a", "a", at(1, 10), talk_seconds=seconds),))
            (line,) = rate_month(pricing, usage)
            assert line.amount == Decimal(expected), (mode, seconds)


# --- Per call, per ticket, per FTE, minimum, one-time: customer-service-zh (CNY) ---------------

CALLS = "电话热线接听（按通计费）"
CHATS = "在线及社交媒体会话"
FTE = "回访与满意度调查专席"
SETUP = "项目启动及培训费"


def per_call_month() -> Usage:
    return Usage(
        calls=(
            CallLeg("a0", "a", at(1, 9), talk_seconds=100),
            CallLeg("a1", "a", at(1, 9, 2), talk_seconds=50, leg=1),  # a transfer: still one call
            CallLeg("b0", "b", at(2, 9), talk_seconds=70),
            CallLeg("c0", "c", at(2, 10), handled=False),  # abandoned
            CallLeg("d0", "d", at(3, 10), direction="outbound", service_type="follow_up",
                    talk_seconds=90),
        ),
        tickets=(
            TicketEvent("t1", at(1, 9), "resolved", channel="chat"),
            TicketEvent("t2", at(1, 9), "resolved", channel="chat"),
            TicketEvent("t3", at(2, 9), "resolved", channel="chat"),
            TicketEvent("t4", at(2, 9), "resolved", channel="social"),
            TicketEvent("t5", at(2, 9), "created", channel="chat"),
            TicketEvent("t6", at(2, 9), "resolved", channel="email"),
        ),
        fees=(FeeOccurrence("f1", at(1, 0), SETUP),),
    )  # fmt: skip


def test_per_call_month_with_minimum_and_one_time_fee() -> None:
    # Handled inbound calls at 6.80: a (two legs, one call), b = 2 → 13.60 (c abandoned,
    #   d outbound).
    # Chat/social resolved at 4.20: t1–t4 = 4 → 16.80 (t5 created, t6 email).
    # FTE: 3 × 9,800.00 = 29,400.00.
    # Services 13.60 + 16.80 + 29,400.00 = 29,430.40 < 60,000.00 → top-up 30,569.60.
    # One-time set-up fee 25,000.00 (outside the minimum). Total 85,000.00.
    lines = rate_month(pricing_of("customer-service-zh"), per_call_month())
    got = by_item(lines)
    assert [line.model for line in lines] == [
        "per_call", "per_ticket", "per_fte", "one_time", "minimum_top_up",
    ]  # fmt: skip
    assert got[CALLS].quantity == 2
    assert got[CALLS].usage_ids == ("a0", "b0")
    assert got[CALLS].amount == Decimal("13.60")
    assert got[CHATS].amount == Decimal("16.80")
    assert got[FTE].amount == Decimal("29400.00")
    assert got[SETUP].amount == Decimal("25000.00")
    assert got[SETUP].usage_ids == ("f1",)
    assert got["Monthly minimum top-up"].amount == Decimal("30569.60")
    assert total(lines) == Decimal("85000.00")


def test_per_call_counts_offered_and_outbound_attempts() -> None:
    # offered = inbound calls answered or not: a, b, c = 3; outbound attempts: d = 1.
    for counts, expected in (("handled", 2), ("offered", 3), ("outbound_attempt", 1)):
        pricing = Pricing.model_validate(
            {
                "currency": "USD",
                "items": [{"model": "per_call", "name": "Calls", "counts": counts, "rate": "1"}],
            }
        )
        (line,) = rate_month(pricing, Usage(calls=per_call_month().calls))
        assert line.quantity == expected, counts


# --- Per hour, surcharge, pass-through: general-outsourcing (USD) ------------------------------

AGENTS = "Inbound and virtual assistance agent hours"
OUTBOUND_HOURS = "Outbound follow-up and survey hours"
EMAIL = "Email tickets resolved"


def per_hour_month() -> Usage:
    return Usage(
        hours=(
            AgentHours("h1", at(1, 9), productive_seconds=25_200, logged_seconds=28_800,
                       training_seconds=3_600, channel="phone", service_type="inbound_support"),
            AgentHours("h2", at(1, 18), productive_seconds=1_800, logged_seconds=3_600,
                       channel="chat", service_type="virtual_assistance"),
            AgentHours("h3", at(2, 10), productive_seconds=10_800, logged_seconds=14_400,
                       service_type="follow_up"),
            AgentHours("h4", at(2, 10), productive_seconds=3_600, channel="email",
                       service_type="inbound_support"),
        ),
        tickets=(
            TicketEvent("e1", at(1, 10), "resolved", channel="email"),
            TicketEvent("e2", at(2, 11), "resolved", channel="email"),
        ),
        pass_through=(
            PassThrough("p1", at(1, 0), Decimal("12.34"), "Telecom carriage"),
            PassThrough("p2", at(15, 0), Decimal("0.66"), "Telecom carriage"),
        ),
    )  # fmt: skip


def test_per_hour_month_with_training_surcharge_and_pass_through() -> None:
    # Productive hours at 32.50 (phone/chat/social): h1 7 h + h2 0.5 h = 7.5 h → 243.75
    #   (h4 is email); h2 started 18:00, after hours: 0.5 h × 32.50 = 16.25, 25% → 4.0625.
    # Training at 24.00: h1 1 h → 24.00 (in hours).
    # Logged hours at 29.75 (follow-up etc.): h3 4 h → 119.00.
    # Email tickets resolved at 3.85: 2 → 7.70.
    # Services 243.75 + 4.0625 + 24.00 + 119.00 + 7.70 = 398.5125 < 45,000.00
    #   → top-up 44,601.4875 (44,601.49 on the line).
    # Pass-through carriage 12.34 + 0.66 = 13.00. Total 45,013.00.
    lines = rate_month(pricing_of("general-outsourcing"), per_hour_month(), in_hours=office_hours)
    got = by_item(lines)
    assert got[AGENTS].quantity == Fraction(15, 2)
    assert got[AGENTS].amount == Decimal("243.75")
    assert got[AGENTS].usage_ids == ("h1", "h2")
    assert got[f"{AGENTS} (after hours)"].amount == Decimal("4.0625")
    assert got[f"{AGENTS} (after hours)"].usage_ids == ("h2",)
    assert got[f"{AGENTS} (training)"].amount == Decimal("24.00")
    assert got[f"{AGENTS} (training)"].rate == Decimal("24.00")
    assert f"{AGENTS} (training) (after hours)" not in got
    assert got[OUTBOUND_HOURS].amount == Decimal("119.00")
    assert got[EMAIL].amount == Decimal("7.70")
    assert got["Telecom carriage"].amount == Decimal("13.00")
    assert got["Telecom carriage"].usage_ids == ("p1", "p2")
    assert got["Monthly minimum top-up"].amount == Decimal("44601.4875")
    assert rounded(lines, "USD")["Monthly minimum top-up"] == Decimal("44601.49")
    assert total(lines) == Decimal("45013.00")


# --- Graduated tickets, FTE and hours above the minimum: telecom-tiers (INR) -------------------


def test_tiered_month_above_the_minimum() -> None:
    # Resolved tickets graduated 90/80/70 (the §5.1 bands × 100): 18,000 → 10,000 × 90 +
    #   8,000 × 80 = 1,540,000.00. FTE 6 × 85,000.00 = 510,000.00. Activation 1.5 h × 650.00
    #   = 975.00. Services 2,050,975.00 ≥ 1,500,000.00: no top-up.
    usage = Usage(
        tickets=tuple(TicketEvent(f"t{n}", at(1 + n % 28, 10), "resolved") for n in range(18_000)),
        hours=(AgentHours("h", at(3, 10), productive_seconds=5_400,
                          service_type="service_activation"),),
    )  # fmt: skip
    lines = rate_month(pricing_of("telecom-tiers"), usage)
    assert [line.amount for line in lines] == [
        Decimal("1540000.00"), Decimal("510000.00"), Decimal("975.00"),
    ]  # fmt: skip
    assert lines[0].detail == "10000 @ 90.00 + 8000 @ 80.00"
    assert total(lines) == Decimal("2050975.00")


# --- Bad input ----------------------------------------------------------------------------------

NAIVE = datetime(2026, 12, 1, 10)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: CallLeg("a", "a", at(1, 1), talk_seconds=-1), "talk_seconds"),
        (lambda: CallLeg("a", "a", at(1, 1), hold_seconds=-5), "hold_seconds"),
        (lambda: CallLeg("a", "a", at(1, 1), acw_seconds=1.5), "acw_seconds"),  # type: ignore[arg-type]
        (lambda: CallLeg("a", "a", NAIVE), "at must be timezone-aware"),
        (lambda: CallLeg("a", "a", at(1, 1), leg=-1), "leg"),
        (lambda: CallLeg("", "a", at(1, 1)), "id"),
        (lambda: TicketEvent("t", NAIVE, "resolved"), "at must be timezone-aware"),
        (lambda: TicketEvent("t", at(1, 1), "closed"), "event"),  # type: ignore[arg-type]
        (lambda: AgentHours("h", at(1, 1), training_seconds=-1), "training_seconds"),
        (lambda: AgentHours("h", NAIVE), "at must be timezone-aware"),
        (lambda: PassThrough("p", at(1, 1), Decimal("-1"), "x"), "amount"),
        (lambda: PassThrough("p", at(1, 1), 1.5, "x"), "amount"),  # type: ignore[arg-type]
        (lambda: FeeOccurrence("f", NAIVE, "x"), "at must be timezone-aware"),
        (
            lambda: Usage(calls=(CallLeg("a", "a", at(1, 1)), CallLeg("a", "b", at(1, 1)))),
            "duplicate id 'a'",
        ),
        (lambda: Usage(calls=(CallLeg("a1", "a", at(1, 1), leg=1),)), "'a' has no leg 0"),
    ],
)
def test_bad_records_raise_naming_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        build()


def test_the_engine_refuses_what_it_cannot_rate() -> None:
    with pytest.raises(ValueError, match="in_hours is required"):
        rate_month(pricing_of("general-outsourcing"), Usage())
    with pytest.raises(ValueError, match="no one-time fee named 'Nope'"):
        rate_month(pricing_of("customer-service-zh"),
                   Usage(fees=(FeeOccurrence("f", at(1, 1), "Nope"),)))  # fmt: skip

"""Earn-back and chronic failure from earlier months' outcomes (reference contact-center.md
§5.2: "by not missing for N months"; "Chronic failure (e.g. 3 of 6 months) -> termination
right")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pactline.core.agreement.commercial import ServiceCredits
from pactline.core.credits import (
    ChronicFailureFinding,
    EarnedBack,
    LevelOutcome,
    LevelResult,
    Month,
    chronic_failures,
    compute_credits,
    earned_back,
)

D = Decimal
A, B = "phone.answer_within", "email.first_response"


def m(month: int) -> Month:
    """Months of 2026, continuing into 2027 past 12."""
    return Month(2026, 1).shifted(month - 1)


def credits(**fields: Any) -> ServiceCredits:
    return ServiceCredits.model_validate(
        {
            "at_risk_percent": "10",
            "scheme": "allocation",
            "allocations": [
                {"service_level": A, "allocation_percent": "50"},
                {"service_level": B, "allocation_percent": "40"},
            ],
            **fields,
        }
    )


EARN_BACK = credits(earn_back={"enabled": True, "consecutive_months_met": 2})
CHRONIC = credits(chronic_failure={"misses": 3, "window_months": 6})


def month_of(month: int, a: str = "met", b: str = "met", credited: str = "0") -> list[LevelOutcome]:
    return [
        LevelOutcome(m(month), A, a, D(credited) if a == "missed" else D(0)),  # type: ignore[arg-type]
        LevelOutcome(m(month), B, b),  # type: ignore[arg-type]
    ]


# --- Earn-back ----------------------------------------------------------------------------


def test_month_shifts_across_years() -> None:
    assert (m(13), m(0), Month(2026, 3).shifted(-3)) == (
        Month(2027, 1),
        Month(2025, 12),
        Month(2025, 12),
    )
    assert str(m(2)) == "2026-02"


def test_a_credit_is_earned_back_after_two_months_all_met() -> None:
    history = [*month_of(1, "missed", credited="2000"), *month_of(2), *month_of(3)]
    assert earned_back(EARN_BACK, history, m(2)) == ()
    assert earned_back(EARN_BACK, history, m(3)) == (EarnedBack(m(1), D(2000), m(3)),)
    # Later months change nothing about it.
    assert earned_back(EARN_BACK, [*history, *month_of(4, "missed")], m(4)) == (
        EarnedBack(m(1), D(2000), m(3)),
    )


def test_not_earned_back_when_a_month_in_between_missed() -> None:
    history = [
        *month_of(1, "missed", credited="2000"),
        *month_of(2, b="missed"),
        *month_of(3),
        *month_of(4),
    ]
    assert earned_back(EARN_BACK, history, m(3)) == ()
    # February's miss credited nothing, so there is nothing of it to earn back in April.
    assert earned_back(EARN_BACK, history, m(4)) == ()
    history[2] = LevelOutcome(m(2), A, "met")
    history[3] = LevelOutcome(m(2), B, "missed", D("1600"))
    assert earned_back(EARN_BACK, history, m(4)) == (EarnedBack(m(2), D(1600), m(4)),)


def test_not_measured_or_absent_months_break_the_run() -> None:
    history = [
        *month_of(1, "missed", credited="2000"),
        *month_of(2, b="not_measured"),
        *month_of(3),
    ]
    assert earned_back(EARN_BACK, history, m(3)) == ()
    gap = [*month_of(1, "missed", credited="2000"), *month_of(3)]
    assert earned_back(EARN_BACK, gap, m(3)) == ()
    partial = [*month_of(1, "missed", credited="2000"), month_of(2)[0], *month_of(3)]
    assert earned_back(EARN_BACK, partial, m(3)) == ()


def test_earn_back_off_waives_nothing() -> None:
    history = [*month_of(1, "missed", credited="2000"), *month_of(2), *month_of(3)]
    assert earned_back(credits(), history, m(3)) == ()


def test_earn_back_reads_memo_outcomes() -> None:
    levels = [
        LevelResult(A, D(80), D(70), "missed", 100),
        LevelResult(B, D(95), D(90), "missed", 100),
    ]
    memo = compute_credits(EARN_BACK, month=m(1), charges=D(1000), levels=levels)
    history = [*memo.outcomes(), *month_of(2), *month_of(3)]
    # 50 % + 40 % of an at-risk 100.
    assert earned_back(EARN_BACK, history, m(3)) == (EarnedBack(m(1), D(90), m(3)),)


# --- Chronic failure ----------------------------------------------------------------------


def misses(*months: int, excused: tuple[int, ...] = ()) -> list[LevelOutcome]:
    """Level A missed in ``months``, met in the others of months 1-12; B always met."""
    return [
        LevelOutcome(
            m(n), A, "missed" if n in months or n in excused else "met", excused=n in excused
        )
        for n in range(1, 13)
    ] + [LevelOutcome(m(n), B, "met") for n in range(1, 13)]


def test_chronic_failure_found_at_the_third_miss_not_at_two() -> None:
    history = misses(1, 3, 6)
    assert chronic_failures(CHRONIC, history, m(3)) == ()
    assert chronic_failures(CHRONIC, history, m(6)) == (
        ChronicFailureFinding(A, (m(1), m(3), m(6)), m(6), 3, 6),
    )


def test_chronic_failure_window_slides() -> None:
    # January drops out of the six months ending in July.
    assert chronic_failures(CHRONIC, misses(1, 3, 7), m(7)) == ()
    history = misses(1, 3, 5, 8)
    assert chronic_failures(CHRONIC, history, m(5)) == (
        ChronicFailureFinding(A, (m(1), m(3), m(5)), m(5), 3, 6),
    )
    assert chronic_failures(CHRONIC, history, m(8)) == (
        ChronicFailureFinding(A, (m(3), m(5), m(8)), m(8), 3, 6),
    )


def test_chronic_failure_only_in_a_month_the_level_missed() -> None:
    # Three misses still in the window, but June was met: nothing new to find.
    assert chronic_failures(CHRONIC, misses(1, 3, 5), m(6)) == ()


def test_excused_misses_do_not_count() -> None:
    assert chronic_failures(CHRONIC, misses(1, 6, excused=(3,)), m(6)) == ()


def test_no_clause_no_findings() -> None:
    assert chronic_failures(credits(), misses(1, 2, 3), m(3)) == ()


def test_memo_outcomes_mark_excused_misses() -> None:
    levels = [
        LevelResult(A, D(80), D(70), "missed", 5, minimum_volume=10),
        LevelResult(B, D(95), D(90), "missed", 100),
    ]
    memo = compute_credits(CHRONIC, month=m(1), charges=D(1000), levels=levels)
    assert memo.outcomes() == (
        LevelOutcome(m(1), A, "missed", D(0), excused=True),
        LevelOutcome(m(1), B, "missed", D(40), excused=False),
    )


# --- Bad input ----------------------------------------------------------------------------


def test_history_with_unknown_or_repeated_levels() -> None:
    unknown = [LevelOutcome(m(1), "chat.csat", "missed")]
    with pytest.raises(ValueError, match=r"history: chat\.csat \(2026-01\) not a credit-bearing"):
        chronic_failures(CHRONIC, unknown, m(1))
    with pytest.raises(ValueError, match=r"history: phone\.answer_within is given twice"):
        earned_back(EARN_BACK, [LevelOutcome(m(1), A, "met")] * 2, m(1))
    with pytest.raises(ValueError, match=r"LevelOutcome\.credited"):
        LevelOutcome(m(1), A, "missed", D(-1))
    with pytest.raises(ValueError, match="as_of"):
        earned_back(EARN_BACK, [], "2026-01")  # type: ignore[arg-type]

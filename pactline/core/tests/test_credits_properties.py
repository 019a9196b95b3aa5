"""Properties of the credit memo: the total is never negative and never above the cap, a
further miss never lowers it, and the order the levels come in changes nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pactline.core.agreement.commercial import ServiceCredits
from pactline.core.credits import CreditMemo, LevelResult, Month, compute_credits

D = Decimal
REFS = ("phone.answer_within", "phone.abandon_rate", "email.first_response", "chat.csat", "web.x")
percents = st.decimals(min_value=D("0.01"), max_value=D(100), places=2)
charges = st.decimals(min_value=D(0), max_value=D("10000000"), places=2)


@st.composite
def schemes(draw: st.DrawFn) -> ServiceCredits:
    refs = draw(st.lists(st.sampled_from(REFS), min_size=1, unique=True))
    allocated = [{"service_level": r, "allocation_percent": str(draw(percents))} for r in refs]
    total = sum(D(a["allocation_percent"]) for a in allocated)
    scheme = draw(st.sampled_from(["allocation", "bands", "per_miss"]))
    fields: dict[str, Any] = {
        "at_risk_percent": str(draw(percents)),
        "pool_percent": str(max(total, D(100))),
        "scheme": scheme,
        "allocations": allocated,
    }
    if draw(st.booleans()):
        fields["cap_percent"] = str(draw(percents))
    if scheme == "bands":
        bounds = sorted(draw(st.lists(percents, max_size=3, unique=True)))
        fields["bands"] = [
            {"shortfall_up_to_points": str(b), "credit_percent": str(draw(percents))}
            for b in bounds
        ] + [{"credit_percent": str(draw(percents))}]
    if scheme == "per_miss":
        fields["per_miss_amount"] = str(draw(st.decimals(min_value=0, max_value=10**6, places=2)))
    return ServiceCredits.model_validate(fields)


def level(ref: str, verdict: str, value: Decimal, volume: int) -> LevelResult:
    lower = ref.endswith("abandon_rate")
    return LevelResult(
        ref,
        D(5) if lower else D(80),
        None if verdict == "not_measured" else value,
        verdict,  # type: ignore[arg-type]
        volume,
        minimum_volume=10,
        higher_is_better=not lower,
    )


@st.composite
def months(draw: st.DrawFn) -> tuple[ServiceCredits, Decimal, list[LevelResult]]:
    scheme = draw(schemes())
    levels = [
        level(
            a.service_level,
            draw(st.sampled_from(["met", "missed", "not_measured"])),
            draw(st.decimals(min_value=0, max_value=100, places=2)),
            draw(st.integers(min_value=0, max_value=100)),
        )
        for a in scheme.allocations
    ]
    return scheme, draw(charges), levels


def memo_of(scheme: ServiceCredits, amount: Decimal, levels: list[LevelResult]) -> CreditMemo:
    return compute_credits(scheme, month=Month(2026, 1), charges=amount, levels=levels)


@given(months())
def test_total_is_between_zero_and_the_cap(case: Any) -> None:
    memo = memo_of(*case)
    assert D(0) <= memo.total <= memo.cap_amount
    assert memo.total == min(memo.uncapped_total, memo.cap_amount)
    assert sum(x.credited for x in memo.lines) == memo.total
    assert all(D(0) <= x.credited <= x.amount for x in memo.lines)
    assert all(x.amount == 0 for x in memo.lines if x.status != "credited")


@given(months(), st.data())
def test_a_further_miss_never_lowers_the_total(case: Any, data: st.DataObject) -> None:
    scheme, amount, levels = case
    index = data.draw(st.integers(min_value=0, max_value=len(levels) - 1))
    worse = list(levels)
    worse[index] = replace(
        levels[index],
        verdict="missed",
        value=levels[index].value if levels[index].value is not None else D(50),
        volume=max(levels[index].volume, 10),
    )
    assert memo_of(scheme, amount, worse).total >= memo_of(scheme, amount, levels).total


@given(months(), st.randoms(use_true_random=False))
def test_the_order_of_levels_is_irrelevant(case: Any, random: Any) -> None:
    scheme, amount, levels = case
    shuffled = list(levels)
    random.shuffle(shuffled)
    assert memo_of(scheme, amount, shuffled) == memo_of(scheme, amount, levels)

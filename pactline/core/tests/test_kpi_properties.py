"""Properties: measures form a commutative monoid, and KPIs of any grouping of sums equal the
recomputation from the raw contacts (what makes interval rollups safe)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.kpi import (
    KpiValue,
    Measures,
    Within,
    abandon_rate,
    aht,
    asa,
    average_abandon_time,
    average_hold,
    call_measures,
    csat,
    nps,
    service_level,
    survey_measures,
    total,
)

THRESHOLDS = (0, 4, 9, 20, 60)  # 4 and 9: short abandons under 5 s and 10 s
SHORTS = (0, 5, 10)


@dataclass(frozen=True)
class Call:
    outcome: str
    wait: int
    talk: int = 0
    hold: int = 0
    acw: int = 0

    def measures(self) -> Measures:
        return call_measures(
            outcome=self.outcome,  # type: ignore[arg-type]
            wait=self.wait,
            talk=self.talk,
            hold=self.hold,
            acw=self.acw,
            thresholds=THRESHOLDS,
        )


seconds = st.integers(min_value=0, max_value=900)
waits = st.one_of(st.integers(min_value=0, max_value=70), seconds)
calls = st.one_of(
    st.builds(Call, st.just("answered"), waits, seconds, st.sampled_from([0, 0, 15, 90]), seconds),
    st.builds(Call, st.sampled_from(["abandoned", "callback", "other"]), waits),
    st.builds(Call, st.just("not_queued"), st.just(0), seconds, seconds, seconds),
)
counts = st.integers(min_value=0, max_value=10**6)
withins = st.dictionaries(
    st.sampled_from(THRESHOLDS), st.builds(Within, counts, counts, counts), max_size=3
)
measures = st.builds(
    Measures,
    **dict.fromkeys(Measures.fields_additive(), counts),
    within=withins,
)


def grouped_sum(items: list[Measures], rnd: random.Random) -> Measures:
    """Sum in a random grouping and order: chunks summed by ``+`` then by ``total``."""
    items = items[:]
    rnd.shuffle(items)
    chunks: list[Measures] = []
    while items:
        size = rnd.randint(1, 4)
        chunk, items = items[:size], items[size:]
        acc = Measures()
        for item in chunk:
            acc = acc + item if rnd.random() < 0.5 else item + acc
        chunks.append(acc)
    return total(chunks)


def close(value: KpiValue, expected: Fraction | None) -> bool:
    if expected is None:
        return value.value is None
    assert value.value is not None
    exact = Fraction(value.numerator) / Fraction(value.denominator)
    assert expected in (exact, 100 * exact)  # the ratio carried is the exact one
    # 34 significant digits: the rounding error is far below 1e-30 relative.
    return abs(Fraction(value.value) - expected) <= (abs(expected) + 1) * Fraction(1, 10**30)


# --- monoid -----------------------------------------------------------------------------


@given(measures, measures, measures)
def test_addition_is_associative_and_commutative_with_a_zero(
    a: Measures, b: Measures, c: Measures
) -> None:
    assert (a + b) + c == a + (b + c) == total([a, b, c])
    assert a + b == b + a
    assert a + Measures() == Measures() + a == a
    assert total([]) == Measures()


# --- rollups equal recomputation ----------------------------------------------------------


def frac(numerator: int, denominator: int, scale: int = 100) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator * scale, denominator)


@settings(max_examples=150)
@given(st.lists(calls, max_size=40), st.randoms(use_true_random=False))
def test_kpis_of_grouped_sums_equal_recomputation_from_calls(
    raw: list[Call], rnd: random.Random
) -> None:
    m = grouped_sum([call.measures() for call in raw], rnd)
    queued = [c for c in raw if c.outcome != "not_queued"]
    answered = [c for c in queued if c.outcome == "answered"]
    abandoned = [c for c in queued if c.outcome == "abandoned"]
    handled = answered + [c for c in raw if c.outcome == "not_queued" and c.talk > 0]
    for t in (20, 60):
        ans_t = sum(c.wait <= t for c in answered)
        abn_t = sum(c.wait <= t for c in abandoned)
        removed_t = sum(c.wait <= t for c in queued if c.outcome != "other")
        base = len(answered) + len(abandoned)
        expected = {
            "SL-A": frac(ans_t, len(answered)),
            "SL-B": frac(ans_t, base),
            "SL-D": frac(ans_t + abn_t, base),
            "SL-E": frac(removed_t, len(queued)),
        }
        for variant, fraction in expected.items():
            value = service_level(m, variant=variant, threshold=t)  # type: ignore[arg-type]
            assert close(value, fraction), variant
        for s in SHORTS:
            short = sum(c.wait < s for c in abandoned)
            sl_c = service_level(m, variant="SL-C", threshold=t, short_abandon=s)
            assert close(sl_c, frac(ans_t, base - short))
            rate = abandon_rate(m, variant="queued", short_abandon=s)
            assert close(rate, frac(len(abandoned) - short, len(queued) - short))
            rate = abandon_rate(m, variant="answered_plus_abandoned", short_abandon=s)
            assert close(rate, frac(len(abandoned) - short, base - short))
    assert close(asa(m), frac(sum(c.wait for c in answered), len(answered), 1))
    assert close(average_abandon_time(m), frac(sum(c.wait for c in abandoned), len(abandoned), 1))
    handle = sum(c.talk + c.hold + c.acw for c in handled)
    assert close(aht(m), frac(handle, len(handled), 1))
    held = [c for c in handled if c.hold > 0]
    assert close(average_hold(m, over="held"), frac(sum(c.hold for c in held), len(held), 1))


@given(
    st.lists(
        st.tuples(
            st.none() | st.integers(1, 5), st.none() | st.integers(0, 10), st.none() | st.booleans()
        ),
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_survey_kpis_of_grouped_sums_equal_recomputation(
    answers: list[tuple[int | None, int | None, bool | None]], rnd: random.Random
) -> None:
    m = grouped_sum([survey_measures(csat=c, nps=n, resolved=r) for c, n, r in answers], rnd)
    scores = [c for c, _, _ in answers if c is not None]
    ratings = [n for _, n, _ in answers if n is not None]
    assert close(csat(m), frac(sum(c >= 4 for c in scores), len(scores)))
    assert close(csat(m, method="mean"), frac(sum(scores), len(scores), 1))
    promoters = sum(n >= 9 for n in ratings) - sum(n <= 6 for n in ratings)
    assert close(nps(m), frac(promoters, len(ratings)))


# --- orderings and ranges -----------------------------------------------------------------


def defined(value: KpiValue) -> Decimal:
    assert value.value is not None
    return value.value


@settings(max_examples=150)
@given(st.lists(calls, max_size=40), st.sampled_from((0, 4, 9, 20, 60)))
def test_service_level_variants_are_ordered_and_in_range(raw: list[Call], t: int) -> None:
    m = total(call.measures() for call in raw)
    values = {
        v: service_level(m, variant=v, threshold=t)  # type: ignore[arg-type]
        for v in ("SL-A", "SL-B", "SL-D", "SL-E")
    }
    values["SL-C"] = service_level(m, variant="SL-C", threshold=t, short_abandon=5)
    for value in values.values():
        assert value.value is None or 0 <= value.value <= 100
    if values["SL-B"].value is not None:
        sl_b = defined(values["SL-B"])
        assert defined(values["SL-D"]) >= sl_b  # abandons within T only ever help
        if values["SL-C"].value is not None:
            assert defined(values["SL-C"]) >= sl_b  # a smaller denominator
        if values["SL-A"].value is not None:
            assert defined(values["SL-A"]) >= sl_b  # abandons never count against SL-A
    for s in SHORTS:
        for variant in ("queued", "answered_plus_abandoned"):
            rate = abandon_rate(m, variant=variant, short_abandon=s)  # type: ignore[arg-type]
            assert rate.value is None or 0 <= rate.value <= 100
    # A longer threshold never lowers a service level.
    if t < 60:
        for v in ("SL-A", "SL-B", "SL-D", "SL-E"):
            longer = service_level(m, variant=v, threshold=60)  # type: ignore[arg-type]
            assert longer.value is None or longer.value >= defined(values[v])


@given(st.lists(calls, max_size=30), st.lists(calls, max_size=30))
def test_a_rollup_equals_its_rows_after_a_round_trip_through_columns(
    first: list[Call], second: list[Call]
) -> None:
    """Rows stored as columns (one per additive field) and read back sum to the same."""
    rows = [total(c.measures() for c in part) for part in (first, second)]
    stored = [
        ({name: getattr(row, name) for name in Measures.fields_additive()}, dict(row.within))
        for row in rows
    ]
    restored = [Measures(**columns, within=within) for columns, within in stored]
    assert total(restored) == total(rows) == total(c.measures() for c in first + second)

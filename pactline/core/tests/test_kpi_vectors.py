"""KPI formulas against the reference vectors (contact-center.md section 1), exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pactline.core.kpi import (
    Elapsed,
    KpiValue,
    Measures,
    UntrackedThreshold,
    Within,
    abandon_rate,
    aht,
    asa,
    average_abandon_time,
    average_acw,
    average_hold,
    average_talk,
    call_measures,
    case_measures,
    clock_compliance,
    contacts_per_hour,
    csat,
    fcr,
    first_response_time,
    first_response_within_target,
    nps,
    occupancy,
    resolution_time,
    resolution_within_target,
    service_level,
    short_abandons,
    survey_measures,
    total,
)

T, S = 20, 5
THRESHOLDS = (T, S - 1)
# Section 1.1: answered waits, with talk/hold/ACW chosen to give section 1.4's sums
# (talk 1850, hold 135 on 3 calls, ACW 370: 1850 + 135 + 370 = 2355).
ANSWERED = [  # (wait, talk, hold, acw)
    (0, 180, 0, 40),
    (5, 240, 45, 60),
    (12, 300, 0, 50),
    (19, 200, 30, 45),
    (20, 330, 0, 55),
    (35, 260, 60, 65),
    (80, 340, 0, 55),
]
ABANDONED = [3, 15, 45, 90]
CALLBACK = 25


def interval() -> Measures:
    calls = [
        call_measures(outcome="answered", wait=w, talk=t, hold=h, acw=a, thresholds=THRESHOLDS)
        for w, t, h, a in ANSWERED
    ]
    calls += [
        call_measures(outcome="abandoned", wait=w, talk=0, hold=0, acw=0, thresholds=THRESHOLDS)
        for w in ABANDONED
    ]
    calls.append(
        call_measures(
            outcome="callback", wait=CALLBACK, talk=0, hold=0, acw=0, thresholds=THRESHOLDS
        )
    )
    return total(calls)


def six(value: KpiValue) -> Decimal:
    assert value.value is not None
    return value.value.quantize(Decimal("0.000001"))


def ratio_of(value: KpiValue) -> tuple[Decimal, Decimal]:
    return value.numerator, value.denominator


# --- the interval itself ----------------------------------------------------------------


def test_the_interval_sums_match_the_reference() -> None:
    m = interval()
    assert (m.offered, m.answered, m.abandoned, m.callbacks, m.other_unanswered) == (
        12,
        7,
        4,
        1,
        0,
    )
    assert (m.talk_seconds, m.hold_seconds, m.acw_seconds, m.held, m.handled) == (
        1850,
        135,
        370,
        3,
        7,
    )
    assert (m.answered_wait_seconds, m.abandoned_wait_seconds) == (171, 153)
    assert m.within == {20: Within(answered=5, abandoned=2, removed=7), 4: Within(1, 1, 2)}
    assert short_abandons(m, S) == 1  # the 3 s abandon: wait < 5
    assert short_abandons(m, 0) == 0


# --- 1.1 service level ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "short", "ratio", "expected"),
    [
        ("SL-A", None, (5, 7), "71.428571"),
        ("SL-B", None, (5, 11), "45.454545"),
        ("SL-C", S, (5, 10), "50.000000"),
        ("SL-D", None, (7, 11), "63.636364"),
        ("SL-E", None, (7, 12), "58.333333"),
    ],
)
def test_service_level_variants(
    variant: str, short: int | None, ratio: tuple[int, int], expected: str
) -> None:
    value = service_level(interval(), variant=variant, threshold=T, short_abandon=short)  # type: ignore[arg-type]
    assert ratio_of(value) == ratio
    assert six(value) == Decimal(expected)
    assert value.unit == "percent"
    assert value.params["variant"] == variant
    assert f"within {T} s" in value.describe()


def test_sl_c_with_a_zero_short_abandon_threshold_is_sl_b() -> None:
    value = service_level(interval(), variant="SL-C", threshold=T, short_abandon=0)
    assert ratio_of(value) == (5, 11)


def test_short_abandon_is_strictly_less_than_the_threshold() -> None:
    # S = 3 would need wait < 3: the 3 s abandon is not short.
    m = total(
        call_measures(outcome="abandoned", wait=3, talk=0, hold=0, acw=0, thresholds=(2, 3))
        for _ in range(2)
    )
    assert short_abandons(m, 3) == 0
    assert short_abandons(m, 4) == 2


def test_sl_c_needs_exactly_its_short_abandon_threshold() -> None:
    with pytest.raises(ValueError, match="short_abandon"):
        service_level(interval(), variant="SL-C", threshold=T)
    with pytest.raises(ValueError, match="short_abandon"):
        service_level(interval(), variant="SL-B", threshold=T, short_abandon=5)


def test_an_untracked_threshold_is_an_error_not_zero() -> None:
    with pytest.raises(UntrackedThreshold, match="30"):
        service_level(interval(), variant="SL-A", threshold=30)
    with pytest.raises(UntrackedThreshold):
        abandon_rate(interval(), variant="queued", short_abandon=10)
    # Nothing queued: nothing to count, so no threshold is needed.
    empty = service_level(Measures(), variant="SL-B", threshold=30)
    assert (empty.value, empty.numerator, empty.denominator) == (None, 0, 0)


# --- 1.2 abandonment --------------------------------------------------------------------


def test_abandonment_vectors() -> None:
    m = interval()
    queued = abandon_rate(m, variant="queued", short_abandon=0)
    assert (ratio_of(queued), six(queued)) == ((4, 12), Decimal("33.333333"))
    offered = abandon_rate(m, variant="answered_plus_abandoned", short_abandon=0)
    assert (ratio_of(offered), six(offered)) == ((4, 11), Decimal("36.363636"))
    excluding = abandon_rate(m, variant="answered_plus_abandoned", short_abandon=S)
    assert (ratio_of(excluding), six(excluding)) == ((3, 10), Decimal("30.000000"))
    assert "under 5 s" in excluding.describe()
    queued_excluding = abandon_rate(m, variant="queued", short_abandon=S)
    assert ratio_of(queued_excluding) == (3, 11)
    wait = average_abandon_time(m)
    assert (ratio_of(wait), wait.value, wait.unit) == ((153, 4), Decimal("38.25"), "seconds")


# --- 1.3 ASA and 1.4 handle time --------------------------------------------------------


def test_asa_vector() -> None:
    value = asa(interval())
    assert (ratio_of(value), six(value)) == ((171, 7), Decimal("24.428571"))


def test_handle_time_vectors() -> None:
    m = interval()
    assert (ratio_of(aht(m)), six(aht(m))) == ((2355, 7), Decimal("336.428571"))
    assert six(average_talk(m)) == Decimal("264.285714")
    assert six(average_acw(m)) == Decimal("52.857143")
    assert six(average_hold(m)) == Decimal("19.285714")
    held = average_hold(m, over="held")
    assert (ratio_of(held), held.value) == ((135, 3), Decimal(45))
    assert ratio_of(aht(m, includes_hold=False)) == (2220, 7)
    assert ratio_of(aht(m, includes_acw=False)) == (1985, 7)
    assert ratio_of(aht(m, includes_hold=False, includes_acw=False)) == (1850, 7)


def test_outbound_calls_count_as_handled_but_not_as_queued() -> None:
    outbound = call_measures(
        outcome="not_queued", wait=0, talk=120, hold=10, acw=30, thresholds=THRESHOLDS
    )
    assert outbound == Measures(
        handled=1, talk_seconds=120, hold_seconds=10, acw_seconds=30, held=1
    )
    no_answer = call_measures(outcome="not_queued", wait=0, talk=0, hold=0, acw=0, thresholds=())
    assert no_answer == Measures()
    m = interval() + outbound + no_answer
    assert ratio_of(aht(m)) == (2355 + 160, 8)
    assert ratio_of(asa(m)) == (171, 7)
    assert ratio_of(service_level(m, variant="SL-E", threshold=T)) == (7, 12)


def test_other_exits_are_offered_but_never_within() -> None:
    other = call_measures(outcome="other", wait=2, talk=0, hold=0, acw=0, thresholds=(T,))
    assert other == Measures(offered=1, other_unanswered=1, within={T: Within()})


@pytest.mark.parametrize(
    ("outcome", "wait", "talk", "match"),
    [
        ("abandoned", 5, 10, "no handle time"),
        ("not_queued", 5, 10, "no wait"),
        ("answered", -1, 10, "wait"),
        ("ringing", 0, 0, "unknown call outcome"),
    ],
)
def test_call_measures_rejects_impossible_calls(
    outcome: str, wait: int, talk: int, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        call_measures(outcome=outcome, wait=wait, talk=talk, hold=0, acw=0, thresholds=())  # type: ignore[arg-type]


# --- 1.5 response and resolution times --------------------------------------------------


def test_response_and_resolution_times_in_both_bases() -> None:
    m = total(
        [
            case_measures(
                handled=True,
                first_response=Elapsed(3600, 7200, met=True),
                resolution=Elapsed(7200, 90000, met=False),
            ),
            case_measures(handled=True, first_response=Elapsed(1800, 1800, met=False)),
            case_measures(handled=False),
        ]
    )
    assert m.handled == 2
    assert ratio_of(first_response_time(m, basis="business")) == (5400, 2)
    assert first_response_time(m, basis="calendar").value == Decimal(4500)
    assert ratio_of(resolution_time(m, basis="calendar")) == (90000, 1)
    assert ratio_of(resolution_time(m, basis="business")) == (7200, 1)
    assert first_response_within_target(m).value == Decimal(50)
    assert resolution_within_target(m).value == Decimal(0)
    with pytest.raises(ValueError, match="first_response_business"):
        case_measures(handled=True, first_response=Elapsed(-1, 0, met=True))


# --- 1.6 FCR ----------------------------------------------------------------------------


def test_fcr_by_each_method() -> None:
    cases = [case_measures(handled=True, repeated=r) for r in (False, False, True, None)]
    cases += [case_measures(handled=True, disposition_resolved=d) for d in (True, False, True)]
    cases += [survey_measures(csat=None, nps=None, resolved=r) for r in (True, None, False)]
    m = total(cases)
    repeat = fcr(m, method="repeat_contact", window_days=7)
    assert (ratio_of(repeat), six(repeat)) == ((2, 3), Decimal("66.666667"))
    assert "within 7 days" in repeat.describe()
    assert fcr(m, method="repeat_contact").describe().startswith("Contacts with no repeat")
    assert ratio_of(fcr(m, method="disposition")) == (2, 3)
    assert ratio_of(fcr(m, method="survey")) == (1, 2)


# --- 1.7 surveys ------------------------------------------------------------------------


def surveys(*, csat_scores: list[int] = [], nps_scores: list[int] = []) -> Measures:  # noqa: B006
    return total(
        [survey_measures(csat=c, nps=None, resolved=None) for c in csat_scores]
        + [survey_measures(csat=None, nps=n, resolved=None) for n in nps_scores]
    )


def test_csat_vectors() -> None:
    m = surveys(csat_scores=[5, 4, 3, 5, 2, 4, 5, 1, 4, 5])
    top2 = csat(m, method="top2box")
    assert (ratio_of(top2), top2.value, top2.unit) == ((7, 10), Decimal(70), "percent")
    mean = csat(m, method="mean")
    assert (ratio_of(mean), mean.value, mean.unit) == ((38, 10), Decimal("3.8"), "score")


@pytest.mark.parametrize(
    ("scores", "ratio", "expected"),
    [
        (list(range(11)), (-5, 11), "-45.454545"),
        ([10, 9, 10, 4], (2, 4), "50.000000"),
        ([10] * 100 + [8] * 30 + [3] * 80, (20, 210), "9.523810"),
    ],
)
def test_nps_vectors(scores: list[int], ratio: tuple[int, int], expected: str) -> None:
    value = nps(surveys(nps_scores=scores))
    assert (ratio_of(value), six(value), value.unit) == (ratio, Decimal(expected), "score")


def test_nps_from_counts() -> None:
    m = Measures(nps_responses=210, nps_promoters=100, nps_detractors=80)
    assert six(nps(m)) == Decimal("9.523810")


@pytest.mark.parametrize(
    ("csat_score", "nps_score"), [(0, None), (6, None), (None, -1), (None, 11)]
)
def test_survey_scores_out_of_scale_are_rejected(
    csat_score: int | None, nps_score: int | None
) -> None:
    with pytest.raises(ValueError, match="must be"):
        survey_measures(csat=csat_score, nps=nps_score, resolved=None)


# --- 1.8 workforce ----------------------------------------------------------------------


def test_occupancy_agent_day_vector() -> None:
    # Handle 4.5 h (talk 3.5 h, hold 0.25 h, ACW 0.75 h), idle 1.25 h: staffed 5.75 h.
    m = Measures(talk_seconds=12600, hold_seconds=900, acw_seconds=2700, staffed_seconds=20700)
    value = occupancy(m)
    assert (ratio_of(value), six(value)) == ((16200, 20700), Decimal("78.260870"))


def test_contacts_per_hour_vector() -> None:
    value = contacts_per_hour(Measures(handled=54, staffed_seconds=6 * 3600 + 1800))
    assert (ratio_of(value), value.unit) == ((54, Decimal("6.5")), "per_hour")
    assert value.value is not None
    assert value.value.quantize(Decimal("0.0001")) == Decimal("8.3077")
    assert six(value) == Decimal("8.307692")


def test_clock_compliance() -> None:
    value = clock_compliance(met=45, stopped=50, clock="next_response")
    assert (ratio_of(value), value.value) == ((45, 50), Decimal(90))
    assert value.describe().startswith("Next responses")
    assert clock_compliance(met=0, stopped=0).value is None
    with pytest.raises(ValueError, match="met <= stopped"):
        clock_compliance(met=3, stopped=2)


# --- values -----------------------------------------------------------------------------


def test_an_empty_period_has_no_values_but_keeps_its_ratio() -> None:
    for value in (
        asa(Measures()),
        aht(Measures()),
        csat(Measures()),
        nps(Measures()),
        occupancy(Measures()),
        contacts_per_hour(Measures()),
        abandon_rate(Measures(), variant="queued", short_abandon=5),
    ):
        assert (value.value, value.numerator, value.denominator) == (None, 0, 0)


def test_values_ignore_the_callers_decimal_context() -> None:
    import decimal

    with decimal.localcontext(decimal.Context(prec=3)):
        value = asa(interval())
    assert six(value) == Decimal("24.428571")


def test_measures_are_immutable_values() -> None:
    source = {20: Within(1, 0, 1)}
    m = Measures(offered=1, answered=1, within=source)
    source[20] = Within()
    assert m.within[20] == Within(1, 0, 1)
    with pytest.raises(TypeError):
        m.within[20] = Within()  # type: ignore[index]
    assert hash(m) == hash(Measures(offered=1, answered=1, within={20: Within(1, 0, 1)}))
    assert Measures.fields_additive()[:3] == ("offered", "answered", "abandoned")
    assert "within" not in Measures.fields_additive()
    assert len(Measures.fields_additive()) == 33

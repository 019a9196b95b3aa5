"""A month's credit memo: the Texas DIR vectors, bands, per-miss credits, and every reason a
missed level earns nothing (reference contact-center.md §5.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pactline.core.agreement import AgreementDocument, parse_agreement
from pactline.core.agreement.commercial import ServiceCredits
from pactline.core.credits import (
    CreditMemo,
    Exclusion,
    LevelResult,
    Month,
    VolumeForecast,
    compute_credits,
    dir_allocation,
)
from pactline.core.tests.agreement_samples import example_text

D = Decimal
JAN = Month(2026, 1)


def credits(**fields: Any) -> ServiceCredits:
    return ServiceCredits.model_validate(fields)


def allocations(**percents: int | str) -> list[dict[str, str]]:
    """``phone__answer_within=50`` -> ``phone.answer_within`` at 50 %."""
    return [
        {"service_level": ref.replace("__", "."), "allocation_percent": str(percent)}
        for ref, percent in percents.items()
    ]


def missed(ref: str, value: str = "70", target: str = "80", **kw: Any) -> LevelResult:
    return LevelResult(ref, D(target), D(value), "missed", volume=kw.pop("volume", 1000), **kw)


def met(ref: str, value: str = "85", target: str = "80") -> LevelResult:
    return LevelResult(ref, D(target), D(value), "met", volume=1000)


def line(memo: CreditMemo, ref: str) -> Any:
    (found,) = [x for x in memo.lines if x.reference == ref]
    return found


# --- Texas DIR ----------------------------------------------------------------------------


def test_dir_worked_example_credits_2000() -> None:
    # Reference §5.2, Texas DIR: Credit = A x B x C = 50 % x 40 % x (10 % of 100,000) = 2,000.
    allocation = dir_allocation(D(50), D(40))
    assert allocation == D(20)
    scheme = credits(
        at_risk_percent="10",
        scheme="allocation",
        allocations=[
            {"service_level": "phone.answer_within", "allocation_percent": str(allocation)},
            {"service_level": "email.first_response", "allocation_percent": "30"},
        ],
    )
    memo = compute_credits(
        scheme,
        month=JAN,
        charges=D("100000"),
        levels=[missed("phone.answer_within"), met("email.first_response")],
    )
    assert memo.at_risk_amount == D(10000)
    assert memo.cap_amount == D(10000)
    assert line(memo, "phone.answer_within").amount == D(2000)
    assert line(memo, "phone.answer_within").status == "credited"
    assert line(memo, "email.first_response").amount == 0
    assert line(memo, "email.first_response").status == "met"
    assert (memo.uncapped_total, memo.total) == (D(2000), D(2000))
    assert not memo.cap_applied and memo.note is None and memo.describe_note() is None


def test_dir_three_misses_12000_capped_at_the_at_risk_10000() -> None:
    # Reference §5.2: 3 misses at 50 %, 40 % and 30 % of the full pool -> 12,000 -> 10,000.
    scheme = credits(
        at_risk_percent="10",
        pool_percent="250",
        scheme="allocation",
        allocations=allocations(phone__answer_within=50, email__first_response=40, chat__csat=30),
    )
    memo = compute_credits(
        scheme,
        month=JAN,
        charges=D("100000.00"),
        levels=[
            missed("chat.csat", "3.9", "4.2"),
            missed("phone.answer_within"),
            missed("email.first_response"),
        ],
    )
    assert [x.amount for x in memo.lines] == [D(5000), D(4000), D(3000)]
    assert memo.uncapped_total == D(12000)
    assert memo.total == D(10000)
    assert memo.cap_applied
    assert memo.describe_note() == (
        "credits of 12000.00 capped at 10000.00 (10 percent of charges of 100000.00)"
    )
    # The cap is taken up in the agreement's allocation order.
    assert [x.credited for x in memo.lines] == [D(5000), D(4000), D(1000)]
    assert sum(x.credited for x in memo.lines) == memo.total


def test_cap_percent_overrides_the_at_risk_amount() -> None:
    scheme = credits(
        at_risk_percent="10",
        pool_percent="200",
        cap_percent="12.5",
        scheme="allocation",
        allocations=allocations(phone__answer_within=100, email__first_response=100),
    )
    memo = compute_credits(
        scheme,
        month=JAN,
        charges=D("1000"),
        levels=[missed("phone.answer_within"), missed("email.first_response")],
    )
    # 100 % + 100 % of an at-risk 100 = 200, capped at 12.5 % of 1000 = 125.
    assert (memo.at_risk_amount, memo.cap_amount) == (D(100), D(125))
    assert (memo.uncapped_total, memo.total) == (D(200), D(125))


# --- Bands --------------------------------------------------------------------------------

BANDS = credits(
    at_risk_percent="12",
    pool_percent="150",
    scheme="bands",
    allocations=allocations(
        phone__answer_within=60,
        phone__emergency_answer=50,
        phone__abandon_rate=20,
        email__first_response=20,
    ),
    bands=[
        {"shortfall_up_to_points": "2", "credit_percent": "25"},
        {"shortfall_up_to_points": "5", "credit_percent": "50"},
        {"shortfall_up_to_points": "10", "credit_percent": "75"},
        {"credit_percent": "100"},
    ],
)  # examples/agreements/call-centre-per-minute.yaml


def band_levels(abandon: str = "16.25") -> list[LevelResult]:
    return [
        missed("phone.answer_within", "77.5", "80"),
        missed("phone.emergency_answer", "88", "90"),
        missed("phone.abandon_rate", abandon, "5", higher_is_better=False),
        met("email.first_response", "96", "95"),
    ]


def test_bands_worked_by_hand() -> None:
    # Charges 50,000, at risk 12 % = 6,000.
    # answer_within 80 - 77.5 = 2.5 points -> band <= 5: 50 % x 60 % x 6,000 = 1,800.
    # emergency_answer 90 - 88 = 2 points, exactly the first bound -> 25 % x 50 % x 6,000 = 750.
    # abandon_rate (lower is better) 16.25 - 5 = 11.25 points -> open band:
    #   100 % x 20 % x 6,000 = 1,200.  email met: 0.  Total 3,750 under the 6,000 cap.
    memo = compute_credits(BANDS, month=JAN, charges=D("50000.00"), levels=band_levels())
    assert memo.at_risk_amount == D(6000)
    got = {x.reference: (x.shortfall, x.band_credit_percent, x.amount) for x in memo.lines}
    assert got == {
        "phone.answer_within": (D("2.5"), D(50), D(1800)),
        "phone.emergency_answer": (D(2), D(25), D(750)),
        "phone.abandon_rate": (D("11.25"), D(100), D(1200)),
        "email.first_response": (D(0), None, D(0)),
    }
    assert memo.total == D(3750)
    assert line(memo, "phone.answer_within").describe() == (
        "phone.answer_within missed by 2.5: band credit 50 percent of 60 percent of the at-risk amount 6000.00"
    )


@pytest.mark.parametrize(
    ("abandon", "expected"),
    [("7", "300"), ("7.01", "600"), ("15", "900"), ("15.01", "1200"), ("5.5", "300")],
)
def test_band_bounds_are_inclusive_for_a_lower_is_better_level(abandon: str, expected: str) -> None:
    # 20 % x 6,000 = 1,200 of the at-risk amount; shortfall = result - maximum of 5.
    memo = compute_credits(BANDS, month=JAN, charges=D("50000"), levels=band_levels(abandon))
    assert line(memo, "phone.abandon_rate").amount == D(expected)


# --- Per miss -----------------------------------------------------------------------------

PER_MISS = credits(at_risk_percent="10", scheme="per_miss", per_miss_amount="250.50")


def test_per_miss_credits_a_fixed_amount_each_and_is_capped() -> None:
    refs = ["phone.answer_within", "email.first_response", "chat.first_response"]
    memo = compute_credits(
        PER_MISS, month=JAN, charges=D("10000"), levels=[missed(r) for r in refs]
    )
    assert memo.total == D("751.50")
    assert [x.allocation_percent for x in memo.lines] == [None, None, None]
    more = [*refs, "social.first_response", "web.resolution"]
    memo = compute_credits(PER_MISS, month=JAN, charges=D("10000"), levels=map(missed, more))
    # 5 x 250.50 = 1,252.50, capped at the at-risk 10 % of 10,000 = 1,000.
    assert (memo.uncapped_total, memo.total) == (D("1252.50"), D(1000))
    assert [x.credited for x in memo.lines][-2:] == [D("248.50"), D(0)]


def test_per_miss_with_allocations_credits_only_those_levels() -> None:
    scheme = credits(
        at_risk_percent="10",
        scheme="per_miss",
        per_miss_amount="100",
        allocations=allocations(phone__answer_within=10),
    )
    memo = compute_credits(
        scheme, month=JAN, charges=D("5000"), levels=[missed("phone.answer_within")]
    )
    assert memo.total == D(100)
    with pytest.raises(ValueError, match=r"levels: chat\.csat not a credit-bearing level"):
        compute_credits(
            scheme,
            month=JAN,
            charges=D("5000"),
            levels=[missed("phone.answer_within"), missed("chat.csat")],
        )


# --- No credit, and why --------------------------------------------------------------------

ONE = credits(
    at_risk_percent="10",
    scheme="allocation",
    allocations=allocations(phone__answer_within=50),
    forecast_tolerance_percent="15",
)


def test_below_minimum_volume_earns_nothing_and_at_it_credits() -> None:
    below = missed("phone.answer_within", volume=49, minimum_volume=50)
    memo = compute_credits(ONE, month=JAN, charges=D("1000"), levels=[below])
    x = memo.lines[0]
    assert (x.status, x.amount, memo.total) == ("below_minimum_volume", D(0), D(0))
    assert x.describe() == (
        "phone.answer_within handled 49, below its minimum volume of 50: no credit"
    )
    at = missed("phone.answer_within", volume=50, minimum_volume=50)
    assert compute_credits(ONE, month=JAN, charges=D("1000"), levels=[at]).total == D(50)


def test_not_measured_earns_nothing() -> None:
    level = LevelResult("phone.answer_within", D(80), None, "not_measured", volume=0)
    memo = compute_credits(ONE, month=JAN, charges=D("1000"), levels=[level])
    assert (memo.lines[0].status, memo.total) == ("not_measured", D(0))
    assert memo.lines[0].describe() == "phone.answer_within was not measured this month: no credit"


@pytest.mark.parametrize("kind", ["client_caused", "force_majeure", "forecast_variance"])
def test_an_approved_exclusion_of_each_kind_earns_nothing(kind: Any) -> None:
    exclusion = Exclusion("phone.answer_within", kind, "IVR outage on the client side", "J. Roe")
    memo = compute_credits(
        ONE,
        month=JAN,
        charges=D("1000"),
        levels=[missed("phone.answer_within")],
        exclusions=[exclusion],
    )
    x = memo.lines[0]
    assert (x.status, x.exclusions) == ("excluded", (exclusion,))
    assert x.amount == memo.total == 0
    assert x.describe() == (
        f"phone.answer_within missed, excluded ({kind}: IVR outage on the client side; "
        "approved by J. Roe): no credit"
    )


def test_an_exclusion_of_a_met_level_changes_nothing() -> None:
    exclusion = Exclusion("phone.answer_within", "force_majeure", "storm", "J. Roe")
    memo = compute_credits(
        ONE,
        month=JAN,
        charges=D("1000"),
        levels=[met("phone.answer_within")],
        exclusions=[exclusion],
    )
    assert memo.lines[0].status == "met"


@pytest.mark.parametrize(
    ("actual", "status", "total"),
    [
        (11500, "credited", 50),  # +15 % exactly: inside the tolerance
        (11501, "excluded", 0),  # +15.01 %
        (8500, "credited", 50),  # -15 % exactly
        (8499, "excluded", 0),  # -15.01 %
    ],
)
def test_forecast_tolerance_boundary(actual: int, status: str, total: int) -> None:
    forecast = VolumeForecast("phone", forecast=10000, actual=actual)
    memo = compute_credits(
        ONE,
        month=JAN,
        charges=D("1000"),
        levels=[missed("phone.answer_within")],
        forecasts=[forecast],
    )
    assert (memo.lines[0].status, memo.total) == (status, D(total))
    if status == "excluded":
        assert memo.lines[0].describe() == (
            f"phone.answer_within missed, excluded (forecast_variance: actual volume {actual} "
            "deviates from the forecast 10000 by more than 15 %): no credit"
        )


def test_a_levels_own_forecast_wins_over_its_channels() -> None:
    forecasts = [
        VolumeForecast("phone", forecast=100, actual=200),
        VolumeForecast("phone.answer_within", forecast=100, actual=110),
    ]
    memo = compute_credits(
        ONE,
        month=JAN,
        charges=D("1000"),
        levels=[missed("phone.answer_within")],
        forecasts=forecasts,
    )
    assert (memo.lines[0].status, memo.lines[0].forecast) == ("credited", forecasts[1])


def test_a_zero_forecast_is_exceeded_by_any_volume() -> None:
    def status(actual: int) -> str:
        forecast = VolumeForecast("phone", forecast=0, actual=actual)
        levels = [missed("phone.answer_within")]
        memo = compute_credits(ONE, month=JAN, charges=D(1), levels=levels, forecasts=[forecast])
        return memo.lines[0].status

    assert (status(0), status(1)) == ("credited", "excluded")


def test_without_a_tolerance_forecasts_are_ignored() -> None:
    scheme = credits(
        at_risk_percent="10", scheme="allocation", allocations=allocations(phone__answer_within=50)
    )
    memo = compute_credits(
        scheme,
        month=JAN,
        charges=D("1000"),
        levels=[missed("phone.answer_within")],
        forecasts=[VolumeForecast("phone", forecast=100, actual=1000)],
    )
    assert memo.total == D(50)


def test_the_order_of_reasons_is_not_measured_met_volume_exclusion_forecast() -> None:
    exclusion = Exclusion("phone.answer_within", "client_caused", "bad routing", "J. Roe")
    forecast = VolumeForecast("phone", forecast=100, actual=1000)
    low = missed("phone.answer_within", volume=1, minimum_volume=10)
    memo = compute_credits(
        ONE, month=JAN, charges=D(1), levels=[low], exclusions=[exclusion], forecasts=[forecast]
    )
    assert memo.lines[0].status == "below_minimum_volume"
    memo = compute_credits(
        ONE,
        month=JAN,
        charges=D(1),
        levels=[missed("phone.answer_within")],
        exclusions=[exclusion],
        forecasts=[forecast],
    )
    assert memo.lines[0].params["kind"] == "client_caused"


def test_the_general_outsourcing_example() -> None:
    doc: AgreementDocument = parse_agreement(example_text("general-outsourcing.yaml"))
    assert doc.service_credits is not None
    levels = [
        missed("phone.answer_within"),  # 50 % of the at-risk amount
        missed("phone.abandon_rate", "9", "5", higher_is_better=False),  # 25 %
        missed("email.first_response"),  # 40 %, but its channel beat the forecast by > 15 %
        met("chat.first_response"),
        LevelResult("social.first_response", D(90), None, "not_measured", volume=3),
    ]
    memo = compute_credits(
        doc.service_credits,
        month=JAN,
        charges=D("84250.40"),
        levels=levels,
        forecasts=[VolumeForecast("email", forecast=2000, actual=2400)],
    )
    # At risk and cap 10 % of 84,250.40 = 8,425.04; 75 % of it = 6,318.78.
    assert memo.at_risk_amount == memo.cap_amount == D("8425.04")
    assert [x.status for x in memo.lines] == [
        "credited",
        "credited",
        "excluded",
        "met",
        "not_measured",
    ]
    assert memo.total == D("6318.78")


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "charges", [D("-0.01"), D("NaN"), D("Infinity"), 100.0, 100, D("9E+999999")]
)
def test_bad_charges(charges: Any) -> None:
    with pytest.raises(ValueError, match="charges"):
        compute_credits(ONE, month=JAN, charges=charges, levels=[met("phone.answer_within")])


def test_unknown_missing_or_repeated_levels() -> None:
    with pytest.raises(ValueError, match=r"levels: chat\.csat not a credit-bearing level"):
        compute_credits(
            ONE, month=JAN, charges=D(1), levels=[met("phone.answer_within"), met("chat.csat")]
        )
    with pytest.raises(ValueError, match=r"levels: no result for phone\.answer_within"):
        compute_credits(ONE, month=JAN, charges=D(1), levels=[])
    with pytest.raises(ValueError, match=r"levels: phone\.answer_within is given twice"):
        compute_credits(ONE, month=JAN, charges=D(1), levels=[met("phone.answer_within")] * 2)


def test_unknown_references_in_exclusions_and_forecasts() -> None:
    levels = [missed("phone.answer_within")]
    with pytest.raises(ValueError, match=r"exclusions: chat\.csat is not a credit-bearing"):
        compute_credits(
            ONE,
            month=JAN,
            charges=D(1),
            levels=levels,
            exclusions=[Exclusion("chat.csat", "force_majeure", "flood", "J. Roe")],
        )
    with pytest.raises(ValueError, match="forecasts: chat is neither"):
        compute_credits(
            ONE, month=JAN, charges=D(1), levels=levels, forecasts=[VolumeForecast("chat", 1, 1)]
        )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: LevelResult("phone", D(80), D(70), "missed", 10), "LevelResult.reference"),
        (lambda: LevelResult("phone.sl", D(80), None, "missed", 10), "LevelResult.value"),
        (lambda: LevelResult("phone.sl", D(80), D(70), "late", 10), "LevelResult.verdict"),  # type: ignore[arg-type]
        (lambda: LevelResult("phone.sl", 80.0, D(70), "missed", 10), "LevelResult.target"),  # type: ignore[arg-type]
        (lambda: LevelResult("phone.sl", D(80), D(70), "missed", -1), "LevelResult.volume"),
        (
            lambda: LevelResult("phone.sl", D(80), D(70), "missed", 1, minimum_volume=-1),
            "LevelResult.minimum_volume",
        ),
        (lambda: Exclusion("phone.sl", "weather", "storm", "J. Roe"), "Exclusion.kind"),  # type: ignore[arg-type]
        (lambda: Exclusion("phone.sl", "force_majeure", "storm", " "), "Exclusion.approver"),
        (lambda: Exclusion("phone.sl", "force_majeure", "", "J. Roe"), "Exclusion.reason"),
        (lambda: VolumeForecast("phone", -1, 10), "VolumeForecast.forecast"),
        (lambda: VolumeForecast("phone.a.b", 1, 10), "VolumeForecast.reference"),
        (lambda: Month(2026, 13), "Month.month"),
    ],
)
def test_bad_inputs_name_the_field(build: Any, field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        build()

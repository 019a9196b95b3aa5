"""An agreement's metrics evaluated over measures: dispatch, volume, verdict, thresholds."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from pactline.core.agreement.service_levels import Metric
from pactline.core.kpi import (
    AnyMetric,
    ClockCounts,
    Elapsed,
    Measures,
    case_measures,
    evaluate_metric,
    survey_measures,
    total,
    tracked_thresholds,
    verdict,
    volume_of,
)
from pactline.core.tests.test_kpi_vectors import interval

METRIC: TypeAdapter[AnyMetric] = TypeAdapter(Metric)
TARGETS = {"target_seconds": {"normal": 3600}, "target_percent": "90"}


def metric(**spec: Any) -> AnyMetric:
    return METRIC.validate_python(spec)


def surveys() -> Measures:
    return total(
        survey_measures(csat=c, nps=n, resolved=r)
        for c, n, r in [(5, 10, True), (4, 9, True), (2, 3, False), (5, 7, None)]
    )


@pytest.mark.parametrize(
    ("spec", "ratio", "volume"),
    [
        (
            {
                "kind": "service_level",
                "variant": "SL-B",
                "threshold_seconds": 20,
                "target_percent": "80",
            },
            (5, 11),
            12,
        ),
        (
            {
                "kind": "service_level",
                "variant": "SL-C",
                "threshold_seconds": 20,
                "short_abandon_seconds": 5,
                "target_percent": "80",
            },
            (5, 10),
            12,
        ),
        (
            {
                "kind": "abandon_rate",
                "variant": "answered_plus_abandoned",
                "max_percent": "30",
                "short_abandon_seconds": 5,
            },
            (3, 10),
            12,
        ),
        ({"kind": "asa", "max_seconds": 25}, (171, 7), 12),
        ({"kind": "aht", "max_seconds": 300, "includes_acw": False}, (1985, 7), 7),
    ],
)
def test_phone_metrics_follow_their_definition(
    spec: dict[str, Any], ratio: tuple[int, int], volume: int
) -> None:
    chosen = metric(**spec)
    value = evaluate_metric(chosen, interval())
    assert (value.numerator, value.denominator) == ratio
    assert volume_of(chosen, interval()) == volume


def test_survey_metrics_and_their_volumes() -> None:
    m = surveys()
    top2 = metric(kind="csat", method="top2box", target="75")
    assert (evaluate_metric(top2, m).value, volume_of(top2, m)) == (Decimal(75), 4)
    mean = metric(kind="csat", method="mean", target="4")
    assert evaluate_metric(mean, m).value == Decimal(4)
    score = metric(kind="nps", target="0")
    assert (evaluate_metric(score, m).value, volume_of(score, m)) == (Decimal(25), 4)
    by_survey = metric(kind="fcr", method="survey", target_percent="60")
    value = evaluate_metric(by_survey, m)
    assert (value.numerator, value.denominator, volume_of(by_survey, m)) == (2, 3, 3)


def test_fcr_volume_is_the_methods_base() -> None:
    m = total(case_measures(handled=True, repeated=r) for r in (False, True, False, False))
    repeat = metric(kind="fcr", method="repeat_contact", window_days=7, target_percent="70")
    assert (evaluate_metric(repeat, m).value, volume_of(repeat, m)) == (Decimal(75), 4)
    assert evaluate_metric(repeat, m).params["window_days"] == 7
    disposition = metric(kind="fcr", method="disposition", target_percent="70")
    assert volume_of(disposition, m) == 0


def test_clock_metrics_use_clock_counts_or_the_measures() -> None:
    m = total(
        case_measures(handled=True, first_response=Elapsed(60, 60, met=met))
        for met in (True, True, True, False)
    )
    first = metric(kind="first_response", **TARGETS)
    assert (evaluate_metric(first, m).value, volume_of(first, m)) == (Decimal(75), 4)
    counts = ClockCounts(met=9, stopped=10)
    assert evaluate_metric(first, m, counts).value == Decimal(90)
    assert volume_of(first, m, counts) == 10
    update = metric(kind="periodic_update", **TARGETS)
    assert evaluate_metric(update, m, counts + ClockCounts(1, 10)).value == Decimal(50)
    assert evaluate_metric(update, m, counts).describe().startswith("Periodic updates")
    with pytest.raises(ValueError, match="periodic_update needs clock counts"):
        evaluate_metric(update, m)
    resolution = metric(kind="resolution", **TARGETS)
    assert evaluate_metric(resolution, m).value is None


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        # Shares and scores reach their target (>=), inclusive.
        ({"kind": "fcr", "method": "disposition", "target_percent": "80"}, "80", "met"),
        ({"kind": "fcr", "method": "disposition", "target_percent": "80"}, "79.9999", "missed"),
        ({"kind": "csat", "method": "mean", "target": "4.2"}, "4.2", "met"),
        ({"kind": "nps", "target": "-10"}, "-10.01", "missed"),
        ({"kind": "first_response", **TARGETS}, "90", "met"),
        # Maxima must not be exceeded (<=), inclusive.
        ({"kind": "abandon_rate", "variant": "queued", "max_percent": "5"}, "5", "met"),
        ({"kind": "abandon_rate", "variant": "queued", "max_percent": "5"}, "5.01", "missed"),
        ({"kind": "asa", "max_seconds": 30}, "30", "met"),
        ({"kind": "aht", "max_seconds": 300}, "300.5", "missed"),
    ],
)
def test_verdict_against_the_target(spec: dict[str, Any], value: str, expected: str) -> None:
    chosen = metric(**spec)
    kpi = evaluate_metric(chosen, Measures(), ClockCounts())
    assert verdict(chosen, replace(kpi, value=Decimal(value)), volume=1) == expected


def test_no_data_or_too_little_volume_is_not_measured() -> None:
    chosen = metric(
        kind="service_level",
        variant="SL-A",
        threshold_seconds=20,
        target_percent="50",
        minimum_volume=13,
    )
    value = evaluate_metric(chosen, interval())
    assert verdict(chosen, value, volume_of(chosen, interval())) == "not_measured"
    assert verdict(chosen, value, 13) == "met"
    empty = evaluate_metric(chosen, Measures())
    assert verdict(chosen, empty, 1000) == "not_measured"


def test_tracked_thresholds_cover_every_metric_that_reads_them() -> None:
    metrics = [
        metric(kind="service_level", variant="SL-A", threshold_seconds=20, target_percent="80"),
        metric(
            kind="service_level",
            variant="SL-C",
            threshold_seconds=30,
            target_percent="80",
            short_abandon_seconds=5,
        ),
        metric(kind="abandon_rate", variant="queued", max_percent="5", short_abandon_seconds=10),
        metric(kind="abandon_rate", variant="queued", max_percent="5"),
        metric(kind="asa", max_seconds=20),
    ]
    assert tracked_thresholds(metrics) == {20, 30, 4, 9}

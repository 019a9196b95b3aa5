"""A figure the rollups cannot give (a threshold they did not count waits against) reads as
"not measured" with the reason, on every page and statement, never as an error."""

from __future__ import annotations

from pactline.core.agreement.service_levels import ServiceLevelMetric
from pactline.core.kpi import Measures, verdict
from pactline.core.kpi.measures import Within
from pactline.metrics.dashboards.figures import live_row
from pactline.metrics.service_levels import UNTRACKED, MetricResult, measured_value

CHAT_WITHIN_60 = ServiceLevelMetric.model_validate(
    {"kind": "service_level", "variant": "SL-A", "threshold_seconds": 60, "target_percent": 80}
)


def test_an_untracked_threshold_is_not_measured_with_the_reason() -> None:
    measures = Measures(offered=12, answered=11, abandoned=1, within={20: Within(answered=9)})

    value = measured_value(CHAT_WITHIN_60, measures)

    assert value.value is None
    assert value.definition == UNTRACKED
    assert dict(value.params) == {"threshold": 60}
    assert verdict(CHAT_WITHIN_60, value, 12) == "not_measured"
    row = live_row(MetricResult("chat", "first_answer", CHAT_WITHIN_60, value, 12, "not_measured"))
    assert (row.value, row.verdict, row.verdict_label) == ("—", "not_measured", "Not measured")
    assert row.definition.startswith("Not measured: the rollups do not count waits")


def test_a_tracked_threshold_is_measured() -> None:
    measures = Measures(offered=10, answered=10, within={60: Within(answered=9)})

    value = measured_value(CHAT_WITHIN_60, measures)

    assert value.value is not None and float(value.value) == 90.0
    assert verdict(CHAT_WITHIN_60, value, 10) == "met"

"""Figures as the pages show them: a result row (from a statement or measured live) with its
target, value, ratio, volume and verdict, and its definition in the active language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pactline.agreements.presentation.labels import CHANNELS, METRIC_KINDS, label, plain
from pactline.metrics.service_levels import MetricResult
from pactline.metrics.statements import target_of

VERDICTS: Mapping[str, Promise] = {
    "met": _("Met"),
    "missed": _("Missed"),
    "not_measured": _("Not measured"),
}
_OPERATORS = {">=": "≥", "<=": "≤"}
_STEPS = {
    "percent": Decimal("0.01"),
    "seconds": Decimal("0.1"),
    "score": Decimal("0.01"),
    "per_hour": Decimal("0.01"),
    "count": Decimal("1"),
}


def shown_value(value: Decimal | None, unit: str, operator: str = ">=") -> str:
    """A measured value at display precision, rounded towards "worse" (down where the target
    is a minimum, up where it is a maximum), so a figure never reads as meeting a target its
    unrounded value misses."""
    if value is None:
        return "—"
    rounding = ROUND_FLOOR if operator == ">=" else ROUND_CEILING
    return with_unit(plain(value.quantize(_STEPS.get(unit, Decimal("0.01")), rounding)), unit)


def with_unit(number: str, unit: str) -> str:
    if unit == "percent":
        return f"{number}%"
    if unit == "seconds":
        return gettext("%(n)s s") % {"n": number}
    if unit == "per_hour":
        return gettext("%(n)s per hour") % {"n": number}
    return number


def definition_text(template: str, params: Mapping[str, Any]) -> str:
    """The KPI's definition in the active language with its parameters filled in."""
    try:
        return gettext(template).format(**params)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        return template.format(**params)


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class ResultRow:
    """One service level's result, from a statement or measured live."""

    channel_code: str
    channel: str
    name: str
    kind: str
    description: str
    definition: str
    critical: bool
    value: str
    target: str
    numerator: str
    denominator: str
    volume: int
    minimum_volume: int
    verdict: str
    verdict_label: str
    meter: tuple[str, str] | None  # (value, target) in percent, for a <meter>
    pending: int = 0  # clock cycles within target at the period's end, not counted yet

    @property
    def below_minimum(self) -> bool:
        return self.volume < self.minimum_volume


def result_row(data: Mapping[str, Any]) -> ResultRow:
    """A result in the form statements store (`statements._result`)."""
    unit = str(data.get("unit", ""))
    operator = str(data.get("operator", ">="))
    value = _decimal(data.get("value"))
    target = _decimal(data.get("target"))
    numerator, denominator = _decimal(data.get("numerator")), _decimal(data.get("denominator"))
    meter = None
    if unit == "percent" and value is not None and target is not None:
        meter = (format(min(max(value, Decimal(0)), Decimal(100)), "f"), format(target, "f"))
    code = str(data.get("verdict", "not_measured"))
    return ResultRow(
        channel_code=str(data.get("channel", "")),
        channel=label(CHANNELS, str(data.get("channel", ""))),
        name=str(data.get("name", "")),
        kind=label(METRIC_KINDS, str(data.get("kind", ""))),
        description=str(data.get("description") or ""),
        definition=definition_text(str(data.get("definition", "")), data.get("params") or {}),
        critical=bool(data.get("critical", True)),
        value=shown_value(value, unit, operator),
        target=f"{_OPERATORS.get(operator, operator)} "
        + (with_unit(plain(target), unit) if target is not None else "—"),
        numerator=plain(numerator) if numerator is not None else "—",
        denominator=plain(denominator) if denominator is not None else "—",
        volume=int(data.get("volume") or 0),
        minimum_volume=int(data.get("minimum_volume") or 0),
        verdict=code,
        verdict_label=label(VERDICTS, code),
        meter=meter,
        pending=int(data.get("pending") or 0),
    )


def _result_data(result: MetricResult) -> dict[str, Any]:
    operator, target = target_of(result.metric)
    value = result.value
    return {
        "channel": result.channel,
        "name": result.name,
        "kind": result.metric.kind,
        "description": result.metric.description or "",
        "critical": result.metric.critical,
        "definition": value.definition,
        "params": dict(value.params),
        "unit": value.unit,
        "operator": operator,
        "target": target,
        "value": value.value,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "volume": result.volume,
        "minimum_volume": result.metric.minimum_volume,
        "verdict": result.verdict,
        "pending": result.pending,
    }


def live_row(result: MetricResult) -> ResultRow:
    return result_row(_result_data(result))


def clock_text(seconds: int) -> str:
    """Elapsed seconds as a wallboard reads them: 0:07, 4:05, 1:02:03."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

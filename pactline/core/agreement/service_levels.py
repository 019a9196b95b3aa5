"""Service levels per channel, each with its exact measurement definition.

``service_levels`` maps a channel to named metrics; the ``kind`` of a metric selects its
definition. Variants follow the contact-centre reference (SL-A..SL-E etc.); the agreement
chooses one and reports name it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag

from pactline.core.agreement.base import (
    ChannelKind,
    Identifier,
    Model,
    PauseStatus,
    Percent,
    PositiveSeconds,
    Seconds,
    Text,
    TimeBasis,
    Unique,
    check_tag,
    exactly_one,
    tag,
    tag_of,
)
from pactline.core.agreement.errors import Issue

ServiceLevelVariant = Literal["SL-A", "SL-B", "SL-C", "SL-D", "SL-E"]


class MetricBase(Model):
    """Fields every metric shares.

    ``critical`` marks a credit-bearing service level (a KPI with ``critical: false`` is
    reported only). Below ``minimum_volume`` contacts in a period the level is not measured.
    """

    kind: str
    description: Text | None = None
    critical: bool = True
    applies_to_priorities: Annotated[tuple[Identifier, ...], Field(min_length=1), Unique] | None = (
        None
    )
    minimum_volume: Annotated[int, Field(ge=0)] = 0
    measurement_period: Literal["daily", "weekly", "monthly", "quarterly"] = "monthly"


class ServiceLevelMetric(MetricBase):
    """Share of contacts answered within ``threshold_seconds`` (variant names the formula)."""

    kind: Literal["service_level"]
    variant: ServiceLevelVariant
    threshold_seconds: PositiveSeconds
    target_percent: Percent
    short_abandon_seconds: Seconds | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.variant == "SL-C" and self.short_abandon_seconds is None:
            yield Issue(
                ("short_abandon_seconds",), "required_when", {"field": "variant", "value": "SL-C"}
            )
        if self.variant != "SL-C" and self.short_abandon_seconds is not None:
            yield Issue(
                ("short_abandon_seconds",),
                "not_applicable",
                {"field": "variant", "value": self.variant},
            )


class AbandonRateMetric(MetricBase):
    """Abandoned over ``queued`` or over ``answered_plus_abandoned``; short abandons excluded."""

    kind: Literal["abandon_rate"]
    variant: Literal["queued", "answered_plus_abandoned"]
    max_percent: Percent
    short_abandon_seconds: Seconds = 0


class AsaMetric(MetricBase):
    """Average speed of answer over answered contacts."""

    kind: Literal["asa"]
    max_seconds: PositiveSeconds


class AhtMetric(MetricBase):
    """Average handle time: talk (+ hold) (+ after-call work) over handled contacts."""

    kind: Literal["aht"]
    max_seconds: PositiveSeconds
    includes_hold: bool = True
    includes_acw: bool = True


class FcrMetric(MetricBase):
    """First-contact resolution; ``repeat_contact`` needs the repeat window in days."""

    kind: Literal["fcr"]
    method: Literal["repeat_contact", "disposition", "survey"]
    window_days: Annotated[int, Field(ge=1, le=90)] | None = None
    target_percent: Percent

    def _issues(self) -> Iterator[Issue]:
        if self.method == "repeat_contact" and self.window_days is None:
            yield Issue(
                ("window_days",), "required_when", {"field": "method", "value": "repeat_contact"}
            )


class ClockWarning(Model):
    """A warning before breach: a business-time offset or a share of the target consumed."""

    before_seconds: PositiveSeconds | None = None
    at_percent: Annotated[Decimal, Field(gt=0, lt=100, decimal_places=2)] | None = None

    def _issues(self) -> Iterator[Issue]:
        yield from exactly_one(self, ("before_seconds", "at_percent"))


Targets = dict[Identifier, PositiveSeconds]


class ClockMetric(MetricBase):
    """A running clock per case, with a target per priority.

    Targets are in seconds of ``time_basis`` time, or (``target_business_days``) in whole
    business days - a different unit from N x 24 h of business time. ``target_percent`` is
    the share of cases that must meet their target in the measurement period.
    """

    target_seconds: Targets | None = None
    target_business_days: dict[Identifier, Annotated[int, Field(gt=0, le=365)]] | None = None
    target_percent: Percent
    time_basis: TimeBasis = "business"
    pause_statuses: Annotated[tuple[PauseStatus, ...], Unique] = ()
    reopen_policy: Literal["resume", "new_cycle"] = "resume"
    warnings: Annotated[tuple[ClockWarning, ...], Unique] = ()

    def _issues(self) -> Iterator[Issue]:
        yield from exactly_one(self, ("target_seconds", "target_business_days"))
        for name in ("target_seconds", "target_business_days"):
            value = getattr(self, name)
            if value is not None and not value:
                yield Issue((name,), "min_items", {"limit": 1})
        if self.target_business_days is not None and self.time_basis != "business":
            yield Issue(
                ("target_business_days",),
                "not_applicable",
                {"field": "time_basis", "value": self.time_basis},
            )

    @property
    def priorities(self) -> tuple[str, ...]:
        return tuple(self.target_seconds or self.target_business_days or ())


class FirstResponseMetric(ClockMetric):
    kind: Literal["first_response"]


class NextResponseMetric(ClockMetric):
    """From the oldest unanswered customer message to the next human reply."""

    kind: Literal["next_response"]


class PeriodicUpdateMetric(ClockMetric):
    kind: Literal["periodic_update"]


class ResolutionMetric(ClockMetric):
    kind: Literal["resolution"]


class CsatMetric(MetricBase):
    """Satisfaction on a 1-5 scale: ``top2box`` (% of 4 and 5) or the ``mean`` score."""

    kind: Literal["csat"]
    method: Literal["top2box", "mean"]
    scale: Literal[5] = 5
    target: Annotated[Decimal, Field(ge=0, decimal_places=2)]

    def _issues(self) -> Iterator[Issue]:
        limit = 100 if self.method == "top2box" else self.scale
        if self.target > limit:
            yield Issue(("target",), "le", {"limit": limit})
        if self.method == "mean" and self.target < 1:
            yield Issue(("target",), "ge", {"limit": 1})


class NpsMetric(MetricBase):
    """Net promoter score (0-10 question): % promoters minus % detractors."""

    kind: Literal["nps"]
    target: Annotated[Decimal, Field(ge=-100, le=100, decimal_places=2)]


METRIC_KINDS = (
    "service_level",
    "abandon_rate",
    "asa",
    "aht",
    "fcr",
    "first_response",
    "next_response",
    "periodic_update",
    "resolution",
    "csat",
    "nps",
)

_CLOCKS = ("first_response", "next_response", "periodic_update", "resolution")
_EVERY_CHANNEL = ("fcr", *_CLOCKS, "csat", "nps")

MEASURABLE: dict[str, tuple[str, ...]] = {
    # Calls: queue waits, answers, abandons and talk/hold/after-call work from the PBX.
    "phone": METRIC_KINDS,
    # First human reply against the threshold (business time); no queue, so no abandons.
    "email": ("service_level", *_EVERY_CHANNEL),
    # Wait to the first human message; handle time from the chat's own timeline.
    "chat": ("service_level", "aht", *_EVERY_CHANNEL),
    # Case clocks, repeat contacts and surveys only: no wait or handle time is recorded.
    "social": _EVERY_CHANNEL,
    "web": _EVERY_CHANNEL,
}
"""The metric kinds Pactline measures per channel kind; a service level on any other is refused."""

Metric = Annotated[
    Annotated[ServiceLevelMetric, Tag(tag("service_level"))]
    | Annotated[AbandonRateMetric, Tag(tag("abandon_rate"))]
    | Annotated[AsaMetric, Tag(tag("asa"))]
    | Annotated[AhtMetric, Tag(tag("aht"))]
    | Annotated[FcrMetric, Tag(tag("fcr"))]
    | Annotated[FirstResponseMetric, Tag(tag("first_response"))]
    | Annotated[NextResponseMetric, Tag(tag("next_response"))]
    | Annotated[PeriodicUpdateMetric, Tag(tag("periodic_update"))]
    | Annotated[ResolutionMetric, Tag(tag("resolution"))]
    | Annotated[CsatMetric, Tag(tag("csat"))]
    | Annotated[NpsMetric, Tag(tag("nps"))],
    Discriminator(tag_of("kind", METRIC_KINDS)),
    BeforeValidator(check_tag("kind", METRIC_KINDS)),
]

ChannelServiceLevels = Annotated[dict[Identifier, Metric], Field(min_length=1)]
ServiceLevels = Annotated[dict[ChannelKind, ChannelServiceLevels], Field(min_length=1)]

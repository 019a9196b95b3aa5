"""What the credit engine reads (a month's levels, charges, exclusions, forecasts, history)
and what it returns (a credit memo, earned-back credits, chronic-failure findings).

Inputs check themselves on construction and raise ``ValueError`` naming the bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, get_args

from pactline.core.i18n import N_

__all__ = [
    "ChronicFailureFinding",
    "CreditMemo",
    "CreditStatus",
    "EarnedBack",
    "Exclusion",
    "ExclusionKind",
    "LevelCredit",
    "LevelOutcome",
    "LevelResult",
    "Month",
    "Verdict",
    "VolumeForecast",
]

Verdict = Literal["met", "missed", "not_measured"]
ExclusionKind = Literal["client_caused", "force_majeure", "forecast_variance"]
CreditStatus = Literal["credited", "met", "not_measured", "below_minimum_volume", "excluded"]

VERDICTS: tuple[str, ...] = get_args(Verdict)
EXCLUSION_KINDS: tuple[str, ...] = get_args(ExclusionKind)


def check_reference(value: object, name: str) -> None:
    """``<channel>.<metric>``, as ``ServiceCredits.allocations`` name a level."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be '<channel>.<metric>', got {value!r}")
    channel, dot, metric = value.partition(".")
    if not (dot and channel and metric and "." not in metric):
        raise ValueError(f"{name} must be '<channel>.<metric>', got {value!r}")


def check_decimal(value: object, name: str, *, minimum: Decimal | None = None) -> None:
    """A finite ``Decimal`` (never a float: money and percentages stay exact)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def check_count(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")


def check_text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty text, got {value!r}")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month (credits are measured per month; no time zone is involved)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int) or self.year < 1:
            raise ValueError(f"Month.year must be a whole number >= 1, got {self.year!r}")
        if isinstance(self.month, bool) or not isinstance(self.month, int):
            raise ValueError(f"Month.month must be a whole number 1-12, got {self.month!r}")
        if not 1 <= self.month <= 12:
            raise ValueError(f"Month.month must be a whole number 1-12, got {self.month!r}")

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    def shifted(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        year, month = divmod(self.index + months, 12)
        return Month(year, month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class LevelResult:
    """One credit-bearing level of the month, as an issued compliance statement holds it.

    ``value`` is the measured result (None when not measured) and ``target`` the level's
    target (a minimum when ``higher_is_better``, a maximum otherwise: abandonment, ASA, AHT).
    ``verdict`` is the statement's and is authoritative; ``value`` only sizes the shortfall
    (a miss whose rounded value reaches the target has a shortfall of 0: the first band).
    """

    reference: str
    target: Decimal
    value: Decimal | None
    verdict: Verdict
    volume: int
    minimum_volume: int = 0
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        check_reference(self.reference, "LevelResult.reference")
        check_decimal(self.target, "LevelResult.target")
        if self.value is not None:
            check_decimal(self.value, "LevelResult.value")
        if self.verdict not in VERDICTS:
            raise ValueError(f"LevelResult.verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict != "not_measured" and self.value is None:
            raise ValueError(f"LevelResult.value is required for a {self.verdict} level")
        check_count(self.volume, "LevelResult.volume")
        check_count(self.minimum_volume, "LevelResult.minimum_volume")
        if not isinstance(self.higher_is_better, bool):
            raise ValueError("LevelResult.higher_is_better must be a bool")

    @property
    def shortfall(self) -> Decimal | None:
        """How far the result falls short of the target, in the level's unit (points for a
        percentage), never negative; None when not measured."""
        if self.value is None:
            return None
        gap = self.target - self.value if self.higher_is_better else self.value - self.target
        return max(gap, Decimal(0))


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A miss of ``reference`` the client approved as excluded from credits for the month."""

    reference: str
    kind: ExclusionKind
    reason: str
    approver: str

    def __post_init__(self) -> None:
        check_reference(self.reference, "Exclusion.reference")
        if self.kind not in EXCLUSION_KINDS:
            raise ValueError(f"Exclusion.kind must be one of {EXCLUSION_KINDS}, got {self.kind!r}")
        check_text(self.reason, "Exclusion.reason")
        check_text(self.approver, "Exclusion.approver")


@dataclass(frozen=True, slots=True)
class VolumeForecast:
    """The client's forecast and the actual volume of a level (``<channel>.<metric>``) or of
    a whole channel (``<channel>``); a level's own forecast wins over its channel's."""

    reference: str
    forecast: int
    actual: int

    def __post_init__(self) -> None:
        if not isinstance(self.reference, str) or not self.reference:
            raise ValueError(f"VolumeForecast.reference must be a text, got {self.reference!r}")
        if "." in self.reference:
            check_reference(self.reference, "VolumeForecast.reference")
        check_count(self.forecast, "VolumeForecast.forecast")
        check_count(self.actual, "VolumeForecast.actual")

    def beyond(self, tolerance_percent: Decimal) -> bool:
        """Actual deviates from forecast (either way) by *more* than the tolerance; exactly
        the tolerance is still inside. Compared without dividing, so exact."""
        deviation = abs(self.actual - self.forecast) * Decimal(100)
        return deviation > tolerance_percent * self.forecast


@dataclass(frozen=True, slots=True)
class LevelOutcome:
    """A level's result in an earlier month, for earn-back and chronic failure.

    ``credited`` is what the month's memo credited for it (after the cap); ``excused`` marks
    a miss that earned no credit because it was excluded or below its minimum volume, which
    does not count towards chronic failure.
    """

    month: Month
    reference: str
    verdict: Verdict
    credited: Decimal = Decimal(0)
    excused: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.month, Month):
            raise ValueError(f"LevelOutcome.month must be a Month, got {self.month!r}")
        check_reference(self.reference, "LevelOutcome.reference")
        if self.verdict not in VERDICTS:
            raise ValueError(
                f"LevelOutcome.verdict must be one of {VERDICTS}, got {self.verdict!r}"
            )
        check_decimal(self.credited, "LevelOutcome.credited", minimum=Decimal(0))

    @property
    def counts_as_miss(self) -> bool:
        return self.verdict == "missed" and not self.excused


@dataclass(frozen=True, slots=True)
class LevelCredit:
    """One line of the memo: the level, its result, and the credit it earns and why.

    ``amount`` is the level's credit before the cap; ``credited`` its part of the capped
    total (the cap is taken up in the order of the memo's lines). ``reason`` is an English
    sentence marked with ``N_`` with ``{name}`` placeholders filled from ``params``.
    """

    reference: str
    target: Decimal
    value: Decimal | None
    verdict: Verdict
    higher_is_better: bool
    volume: int
    minimum_volume: int
    scheme: str
    allocation_percent: Decimal | None
    status: CreditStatus
    amount: Decimal
    credited: Decimal
    reason: str
    shortfall: Decimal | None = None
    band_credit_percent: Decimal | None = None
    exclusions: tuple[Exclusion, ...] = ()
    forecast: VolumeForecast | None = None
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def describe(self) -> str:
        """The English reason filled in (for logs and tests; pages translate first)."""
        return self.reason.format(**self.params)

    def outcome(self, month: Month) -> LevelOutcome:
        """This line as history for later months' earn-back and chronic-failure checks."""
        excused = self.verdict == "missed" and self.status != "credited"
        return LevelOutcome(month, self.reference, self.verdict, self.credited, excused)


@dataclass(frozen=True, slots=True)
class CreditMemo:
    """A month's service credits: every credit-bearing level, the at-risk amount, the cap,
    and the totals before and after it. Amounts are exact (invoice lines round them)."""

    month: Month
    scheme: str
    charges: Decimal
    at_risk_percent: Decimal
    at_risk_amount: Decimal
    cap_percent: Decimal
    cap_amount: Decimal
    uncapped_total: Decimal
    total: Decimal
    lines: tuple[LevelCredit, ...]

    @property
    def cap_applied(self) -> bool:
        return self.uncapped_total > self.cap_amount

    @property
    def note(self) -> str | None:
        """Why the total is less than the sum of the lines, when it is: an English sentence
        marked with ``N_``, filled from :attr:`note_params`."""
        if not self.cap_applied:
            return None
        return N_(
            "credits of {uncapped} capped at {cap} ({percent} percent of charges of {charges})"
        )

    @property
    def note_params(self) -> Mapping[str, object]:
        return MappingProxyType(
            {
                "uncapped": self.uncapped_total,
                "cap": self.cap_amount,
                "percent": self.cap_percent,
                "charges": self.charges,
            }
        )

    def describe_note(self) -> str | None:
        """The English note filled in (for logs and tests; pages translate first)."""
        return None if self.note is None else self.note.format(**self.note_params)

    def outcomes(self) -> tuple[LevelOutcome, ...]:
        """The month's lines as history (see :meth:`LevelCredit.outcome`)."""
        return tuple(line.outcome(self.month) for line in self.lines)


@dataclass(frozen=True, slots=True)
class EarnedBack:
    """The credit of ``month`` is waived: every credit-bearing level was met in each month
    after it up to and including ``earned_in``."""

    month: Month
    amount: Decimal
    earned_in: Month


@dataclass(frozen=True, slots=True)
class ChronicFailureFinding:
    """``reference`` missed in each of ``months`` (at least ``misses`` within ``window_months``
    consecutive months ending at ``found_in``): the client may terminate; both parties are
    notified by the caller."""

    reference: str
    months: tuple[Month, ...]
    found_in: Month
    misses: int
    window_months: int

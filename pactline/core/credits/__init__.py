"""Service credits: a month's credit memo from its measured levels and charges, and the
earn-back and chronic-failure rules read from earlier months (reference §5.2).

:mod:`~pactline.core.credits.model` holds the inputs and results;
:mod:`~pactline.core.credits.memo` computes a month's memo (and documents how the Texas DIR
formula maps onto ``ServiceCredits``); :mod:`~pactline.core.credits.history` finds earned-back
credits and chronic failures. Pure and exact: no clock is read, money stays ``Decimal`` and is
not rounded here (invoice lines round it).
"""

from pactline.core.credits.history import chronic_failures, earned_back
from pactline.core.credits.memo import compute_credits, dir_allocation
from pactline.core.credits.model import (
    ChronicFailureFinding,
    CreditMemo,
    CreditStatus,
    EarnedBack,
    Exclusion,
    ExclusionKind,
    LevelCredit,
    LevelOutcome,
    LevelResult,
    Month,
    Verdict,
    VolumeForecast,
)

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
    "chronic_failures",
    "compute_credits",
    "dir_allocation",
    "earned_back",
]

"""Rating: a month's usage turned into exact charges under an agreement's ``pricing``.

Pure and clock-free. Records (:mod:`~pactline.core.rating.usage`) go in; rated lines come
out with exact rational quantities and amounts and the ids of the records behind them
(:mod:`~pactline.core.rating.engine`). Rounding increments are integer arithmetic
(:mod:`~pactline.core.rating.increments`), tiers apply to the month's quantity
(:mod:`~pactline.core.rating.tiers`), and an amount is rounded once, on its invoice line, to
the currency's minor unit (:mod:`~pactline.core.rating.minor_units`). Months of millions of
calls rate from numpy arrays to the same lines (:mod:`~pactline.core.rating.vectorised`).
"""

from pactline.core.rating.engine import (
    InHours,
    Rated,
    call_counted,
    matches,
    rate_diversion,
    rate_month,
    rate_one_time,
    rate_pass_through,
    rate_per_call,
    rate_per_fte,
    rate_per_hour,
    rate_per_minute,
    rate_per_ticket,
    surcharge_line,
    top_up_line,
    total,
)
from pactline.core.rating.increments import billable_seconds, billable_seconds_many
from pactline.core.rating.lines import RatedLine, fraction_to_decimal
from pactline.core.rating.minor_units import MINOR_UNITS, minor_unit, round_line
from pactline.core.rating.tiers import Priced, price, top_share
from pactline.core.rating.usage import (
    AgentHours,
    CallLeg,
    FeeOccurrence,
    PassThrough,
    TicketEvent,
    Usage,
)
from pactline.core.rating.vectorised import (
    per_call_rated,
    per_minute_rated,
    rate_per_call_arrays,
    rate_per_minute_arrays,
)

__all__ = [
    "MINOR_UNITS",
    "AgentHours",
    "CallLeg",
    "FeeOccurrence",
    "InHours",
    "PassThrough",
    "Priced",
    "Rated",
    "RatedLine",
    "TicketEvent",
    "Usage",
    "billable_seconds",
    "billable_seconds_many",
    "call_counted",
    "fraction_to_decimal",
    "matches",
    "minor_unit",
    "per_call_rated",
    "per_minute_rated",
    "price",
    "rate_diversion",
    "rate_month",
    "rate_one_time",
    "rate_pass_through",
    "rate_per_call",
    "rate_per_call_arrays",
    "rate_per_fte",
    "rate_per_hour",
    "rate_per_minute",
    "rate_per_minute_arrays",
    "rate_per_ticket",
    "round_line",
    "surcharge_line",
    "top_share",
    "top_up_line",
    "total",
]

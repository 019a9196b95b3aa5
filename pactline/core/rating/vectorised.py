"""The per-minute and per-call rating over numpy arrays, for months of millions of records.

Seconds are int64 arrays; billable seconds are computed with integer arithmetic, summed
exactly as integers and turned into a rational once per line, so the lines equal those of the
per-record reference (:func:`~pactline.core.rating.engine.rate_per_minute`,
:func:`~pactline.core.rating.engine.rate_per_call`) exactly. The arrays hold the records
one item rates (the caller filters by channel and service type); usage ids stay with the
caller (the line's ``usage_ids`` is empty: positions in the arrays stand for them).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from pactline.core.agreement import PerCall, PerMinute
from pactline.core.rating.engine import Rated
from pactline.core.rating.increments import Int64Array, billable_seconds, billable_seconds_many
from pactline.core.rating.lines import RatedLine
from pactline.core.rating.tiers import price, top_share

BoolArray = npt.NDArray[np.bool_]
_INT64_MAX = 2**63 - 1


def _seconds(item: PerMinute, parts: Mapping[str, npt.ArrayLike]) -> Int64Array:
    missing = [part for part in item.billable if part not in parts]
    if missing:
        raise ValueError(f"parts: missing billable part(s) {', '.join(missing)}")
    arrays = [np.asarray(parts[part]) for part in item.billable]
    for part, array in zip(item.billable, arrays, strict=True):
        if array.dtype.kind not in "iu":
            raise ValueError(f"{part}_seconds must be integer seconds, got dtype {array.dtype}")
        if array.size and int(array.min()) < 0:
            raise ValueError(f"{part}_seconds must be >= 0, got {int(array.min())}")
    total: Int64Array = np.zeros(arrays[0].shape, dtype=np.int64)
    for array in arrays:
        total += array.astype(np.int64, copy=False)
    return total


def _exact_sum(values: Int64Array, slack: int = 0) -> int:
    """``values.sum()`` as an int, refusing an int64 overflow instead of wrapping."""
    if values.size == 0:
        return 0
    if (int(values.max()) + slack) * values.size > _INT64_MAX:
        return sum(int(v) for v in values)
    return int(values.sum(dtype=np.int64))


def _by_call(call_index: npt.ArrayLike, n: int) -> tuple[Int64Array, Int64Array]:
    """The stable order grouping rows by call, and each call's first position in it."""
    calls = np.asarray(call_index)
    if calls.shape != (n,):
        raise ValueError(f"call_index must have one entry per row ({n}), got {calls.shape}")
    order: Int64Array = np.argsort(calls, kind="stable")
    ordered = calls[order]
    starts: Int64Array = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts


def rate_per_minute_arrays(
    item: PerMinute,
    parts: Mapping[str, npt.ArrayLike],
    *,
    call_index: npt.ArrayLike | None = None,
    outside: npt.ArrayLike | None = None,
) -> Rated:
    """The item's billable minutes from int64 arrays of seconds per leg.

    ``parts`` maps ``talk``/``hold``/``acw`` to equal-length arrays (the item's ``billable``
    parts are required). ``call_index`` groups legs into calls for ``rounding_scope: call``
    (without it each row is a call); ``outside`` marks rows that started outside business
    hours (from a calendar: ``between_many(at, at + 1 µs) == 0``); a call's mark is that of
    its first row, so give a call's legs in start order.
    """
    seconds = _seconds(item, parts)
    n = seconds.shape[0] if seconds.ndim else 0
    flags: BoolArray = (
        np.zeros(n, dtype=np.bool_) if outside is None else np.asarray(outside, dtype=np.bool_)
    )
    if flags.shape != (n,):
        raise ValueError(f"outside must have one entry per row ({n}), got {flags.shape}")
    minimum, increment = item.minimum_seconds, item.increment_seconds
    slack = minimum + increment
    if item.rounding_scope == "monthly_total":
        total = billable_seconds(_exact_sum(seconds), minimum, increment)
        after = _exact_sum(seconds[flags])
    else:
        if item.rounding_scope == "call" and call_index is not None and n:
            order, starts = _by_call(call_index, n)
            seconds = np.add.reduceat(seconds[order], starts)
            flags = flags[order][starts]
        billed = billable_seconds_many(seconds, minimum, increment)
        total = _exact_sum(billed, slack)
        after = _exact_sum(billed[flags], slack)
    return per_minute_rated(item, total, after)


def rate_per_call_arrays(
    item: PerCall, counted: npt.ArrayLike, *, outside: npt.ArrayLike | None = None
) -> Rated:
    """The item's calls from a boolean array marking the calls it counts (one row per call;
    see :func:`~pactline.core.rating.engine.call_counted`)."""
    mask = np.asarray(counted, dtype=np.bool_)
    count = int(np.count_nonzero(mask))
    after = 0 if outside is None else int(np.count_nonzero(mask & np.asarray(outside, np.bool_)))
    return per_call_rated(item, count, after)


def per_minute_rated(item: PerMinute, billed: int, after: int) -> Rated:
    """The item's line from its month's billable seconds (``billed``) and those of its usage
    outside business hours (``after``), both already rounded by the item's rule: for sums
    gathered piece by piece (a month read in chunks)."""
    quantity = Fraction(billed, 60)
    priced = price(quantity, rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode)
    after_amount = top_share(
        quantity, Fraction(after, 60), rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode
    )
    line = RatedLine(
        item=item.name,
        model="per_minute",
        quantity=quantity,
        unit="minute",
        rate=priced.rate,
        amount=priced.amount,
        detail=priced.detail,
    )
    return Rated(line, after_amount, ())


def per_call_rated(item: PerCall, count: int, after: int) -> Rated:
    """The item's line from the number of calls it counts and how many of them started
    outside business hours."""
    quantity = Fraction(count)
    priced = price(quantity, rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode)
    after_amount = top_share(
        quantity, Fraction(after), rate=item.rate, tiers=item.tiers, tier_mode=item.tier_mode
    )
    line = RatedLine(
        item=item.name,
        model="per_call",
        quantity=quantity,
        unit="call",
        rate=priced.rate,
        amount=priced.amount,
        detail=priced.detail,
    )
    return Rated(line, after_amount, ())

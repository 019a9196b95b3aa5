"""Rounding increments ("minimum/increment", contact-center.md §5.1).

A duration of ``d`` seconds bills 0 when ``d == 0``, ``minimum`` when ``d <= minimum``, else
``minimum + ceil((d - minimum) / increment) * increment``. Integer arithmetic only, so the
scalar and the array forms agree exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]


def _check_rule(minimum: int, increment: int) -> None:
    if minimum < 0:
        raise ValueError(f"minimum must be >= 0, got {minimum}")
    if increment <= 0:
        raise ValueError(f"increment must be > 0, got {increment}")


def billable_seconds(duration: int, minimum: int, increment: int) -> int:
    """The billable seconds of a ``duration`` under ``minimum``/``increment`` (0 s bills 0)."""
    _check_rule(minimum, increment)
    if duration < 0:
        raise ValueError(f"duration must be >= 0, got {duration}")
    if duration == 0:
        return 0
    if duration <= minimum:
        return minimum
    return minimum + -(-(duration - minimum) // increment) * increment


def billable_seconds_many(durations: npt.ArrayLike, minimum: int, increment: int) -> Int64Array:
    """:func:`billable_seconds` over an integer array (int64 throughout, no float)."""
    _check_rule(minimum, increment)
    d = np.asarray(durations)
    if d.dtype.kind not in "iu":
        raise ValueError(f"duration must be integer seconds, got dtype {d.dtype}")
    d = d.astype(np.int64, copy=False)
    if d.size and int(d.min()) < 0:
        raise ValueError(f"duration must be >= 0, got {int(d.min())}")
    over = d - minimum
    # Ceiling division by negating floor division of the negation; clamp to 0 below minimum.
    steps = np.maximum(-(-over // increment), 0)
    billed: Int64Array = np.where(d == 0, 0, minimum + steps * increment)
    return billed

"""Instants as integer microseconds since the Unix epoch (UTC), and array conversions."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
DatetimeArray = npt.NDArray[np.datetime64]
BoolArray = npt.NDArray[np.bool_]

MICROS_PER_SECOND: Final = 1_000_000
DAY: Final = 86_400 * MICROS_PER_SECOND
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICRO: Final = timedelta(microseconds=1)
# The largest microsecond count that datetime64[ns] can hold (2262-04-11).
NS_LIMIT: Final = (2**63 - 1) // 1000
_FINE_UNITS: Final = frozenset({"ns", "ps", "fs", "as"})


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime; a naive one is a ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    return (moment - EPOCH) // ONE_MICRO


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime ``micros`` microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=micros)


def seconds_to_micros(seconds: float) -> int:
    """Whole microseconds in ``seconds`` (finite, >= 0), rounded half to even."""
    value = float(seconds)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"business seconds must be finite and >= 0, got {seconds!r}")
    return round(value * MICROS_PER_SECOND)


def micros_array(values: npt.ArrayLike) -> Int64Array:
    array = np.asarray(values)
    if array.dtype.kind != "M":
        raise TypeError(f"expected a numpy datetime64 array (UTC), got dtype {array.dtype}")
    if np.isnat(array).any():
        raise ValueError("NaT in a datetime64 array")
    unit = np.datetime_data(array.dtype)[0]
    if unit in _FINE_UNITS:
        return array.astype("datetime64[ns]").view(np.int64) // 1000
    return array.astype("datetime64[us]").view(np.int64)


def seconds_array(values: npt.ArrayLike) -> Int64Array:
    seconds = np.asarray(values, dtype=np.float64)
    if not np.isfinite(seconds).all() or (seconds < 0).any():
        raise ValueError("business seconds must be finite and >= 0")
    micros: Int64Array = np.rint(seconds * MICROS_PER_SECOND).astype(np.int64)
    return micros

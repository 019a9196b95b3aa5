from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """The start form's counters live in the cache, which outlives a test: each starts clean."""
    cache.clear()
    yield
    cache.clear()

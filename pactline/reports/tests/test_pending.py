"""A report says how many clock cycles were still within target at the period's end (the
month of `metrics/tests/test_async_figures.py`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.metrics.tests.test_async_figures import MARCH, _month
from pactline.reports.data import report_content, report_period, report_spec
from pactline.reports.sections.service_levels import verdict_pending

pytestmark = pytest.mark.django_db


def test_the_report_says_how_many_are_pending(tmp_path: Path) -> None:
    northwind_client = northwind()
    _month(northwind_client, tmp_path)
    spec = report_spec(northwind_client, "Monthly service review", MARCH[0])
    content = report_content(
        northwind_client, spec, report_period(northwind_client, "monthly", date(2026, 3, 1))
    )
    [segment] = content.sections["service_levels"].segments
    pending = {f"{r.channel}.{r.name}": r.pending for r in segment.results if r.pending}
    assert pending == {"email.first_response": 1, "email.resolution": 1}
    assert verdict_pending("missed", 1) == (
        "Missed (1 pending: within target at the end of the period)"
    )
    assert verdict_pending("met", 0) == "Met"

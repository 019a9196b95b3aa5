"""The reports app hands the metrics loop its job: the reports that fell due, once the
rollups have caught up (metrics sits below reports and cannot call it)."""

from __future__ import annotations

from datetime import date

import pytest

from pactline.metrics.after_rollups import after_rollups_jobs
from pactline.reports import due
from pactline.reports.services import Delivery


def test_the_due_reports_are_a_job_of_the_metrics_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    [job] = [job for job in after_rollups_jobs() if job.name == "reports"]
    assert (job.job, job.every) == (due.reports_due_lines, due.REPORTS_EVERY)
    sent = [
        Delivery("northwind", "Daily", date(2026, 3, 2), 1, ("a@example.com",)),
        Delivery("northwind", "Daily", date(2026, 3, 1), 2, ("a@example.com",), replaces=1),
    ]
    monkeypatch.setattr(due, "reports_generate_due", lambda: sent)
    assert due.reports_due_lines() == [
        "reports: emailed 'Daily' of northwind for 2026-03-02",
        "reports: emailed 'Daily' of northwind for 2026-03-01 (revision of v1)",
    ]

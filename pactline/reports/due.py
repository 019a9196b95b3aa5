"""The reports' job in the `metrics run` loop: generate and email what fell due."""

from __future__ import annotations

from pactline.reports.services import reports_generate_due

REPORTS_EVERY = 60.0  # seconds between checks for reports that fell due


def reports_due_lines() -> list[str]:
    """Send the reports that fell due; a line for each one emailed."""
    return [
        f"reports: emailed '{sent.report_name}' of {sent.client} for {sent.period_start}"
        + (f" (revision of v{sent.replaces})" if sent.replaces else "")
        for sent in reports_generate_due()
    ]

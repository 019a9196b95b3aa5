"""Background tasks (django-tasks-db): thin and idempotent."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from pactline.cases.escalation_runner import escalation_actions_run_due


@task()
def escalation_actions_run() -> int:
    """Run the escalation actions that are due; returns how many were attempted."""
    return escalation_actions_run_due(now=timezone.now())

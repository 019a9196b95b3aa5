"""Turning fired escalation levels into actions to run (once each, after commit)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from pactline.cases.definitions import EscalationPoint, case_clocks
from pactline.cases.models import ActionStatus, EscalationAction, SlaEvent, SlaEventKind


def _point(event: SlaEvent) -> EscalationPoint | None:
    case = event.case
    for clock in case_clocks(case.agreement_version, case.channel, case.priority):
        if clock.definition.key != event.clock.key:
            continue
        for point in (*clock.before_breach, *clock.after_breach):
            if point.code == event.level:
                return point
    return None


def escalation_actions_queue(events: Iterable[SlaEvent]) -> list[EscalationAction]:
    """Create the actions of every escalation event (idempotent) and run them after commit."""
    wanted = [e.pk for e in events if e.kind == SlaEventKind.ESCALATION and not e.suppressed]
    if not wanted:
        return []
    rows: list[EscalationAction] = []
    fired = SlaEvent.objects.filter(pk__in=wanted).select_related(
        "clock", "case__agreement_version"
    )
    for event in fired:
        point = _point(event)
        if point is None:
            continue
        contacts = [contact.model_dump(mode="json") for contact in point.level.contacts]
        for index, action in enumerate(point.level.actions):
            rows.append(
                EscalationAction(
                    client_id=event.client_id,
                    event=event,
                    case_id=event.case_id,
                    action_index=index,
                    action_type=action.type,
                    spec={
                        "action": action.model_dump(mode="json"),
                        "ladder": point.ladder.name,
                        "level": point.level.level,
                        "contacts": contacts,
                        "respect_calendar": point.level.respect_calendar,
                    },
                    next_attempt_at=event.recorded_at,
                )
            )
    if rows:
        EscalationAction.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(_enqueue_run)
    return rows


def _enqueue_run() -> None:
    from pactline.cases.tasks import escalation_actions_run

    escalation_actions_run.enqueue()


def escalation_actions_wake(*, now: datetime) -> bool:
    """Enqueue the runner if any action is due; True when it did."""
    due = EscalationAction.objects.filter(
        status__in=[ActionStatus.PENDING, ActionStatus.WAITING], next_attempt_at__lte=now
    ).exists()
    if due:
        _enqueue_run()
    return due

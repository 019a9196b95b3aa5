"""Running the actions of fired escalation levels: emails, webhooks, routing, priority.

`escalation_actions_run_due` takes the due `EscalationAction` rows one by one, each in its own
transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several workers never take the same row;
SQLite serialises writers). A row leaves the due set as soon as it is taken, so running twice
(or enqueuing the task twice) does the work once.

- `reassign` and `raise_priority` are database writes through the case services; they run and
  finish inside that one transaction.
- Notifications (`notify_email`, `notify_client_contacts`, `webhook`) of a level that respects
  the calendar wait, while the clock's calendar is closed, for its next opening. Otherwise the
  row is *claimed* (attempt counted, `next_attempt_at` pushed out by a lease) and committed,
  the message is sent outside any transaction (no database lock is held across SMTP or HTTP;
  on SQLite that would stall every writer), and the outcome is recorded in a second
  transaction. A worker that dies mid-send leaves the row to be retried when the lease ends.
  Failures retry with exponential backoff up to `MAX_ATTEMPTS`, then the row is `failed`.

Every outcome is written to the audit log as `escalation.<outcome>`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction

from pactline.agreements.execution import executes
from pactline.agreements.terms import agreement_calendar
from pactline.audit.services import audit_record
from pactline.cases.models import ActionStatus, EscalationAction
from pactline.cases.notifications import (
    NOTIFY_CLIENT_CONTACTS,
    NOTIFY_EMAIL,
    email_recipients,
    escalation_email,
)
from pactline.cases.services import case_route, case_set_priority
from pactline.cases.webhooks import (
    WebhookRequest,
    WebhookResult,
    webhook_delivery_record,
    webhook_request,
    webhook_send,
)
from pactline.tenancy.access import Actor, system_actor

executes(
    "escalation.ladders.*.levels.*.actions",
    "escalation.ladders.*.levels.*.respect_calendar",
)

logger = logging.getLogger(__name__)

WEBHOOK = "webhook"
REASSIGN = "reassign"
RAISE_PRIORITY = "raise_priority"
NOTIFICATIONS = frozenset({NOTIFY_EMAIL, NOTIFY_CLIENT_CONTACTS, WEBHOOK})

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# How long a claimed notification is left to its worker before another may take it.
LEASE = timedelta(minutes=5)

_OPEN = (ActionStatus.PENDING, ActionStatus.WAITING)
RunOutcome = Literal["attempted", "deferred", "skipped"]


def retry_delay(attempt: int) -> timedelta:
    """The wait after failed attempt `attempt` (1-based): 30 s, 1 min, 2 min, … at most 1 h."""
    return min(FIRST_RETRY * (1 << (attempt - 1)), LONGEST_RETRY)


def _actor() -> Actor:
    return system_actor("escalation")


def escalation_actions_run_due(*, now: datetime, limit: int = 200) -> int:
    """Run the actions due at `now` (at most `limit`); returns how many were attempted.

    Actions deferred to the calendar's next opening are not counted as attempted."""
    due = list(
        EscalationAction.objects.filter(status__in=_OPEN, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    outcomes = [_run(action_id, now=now) for action_id in due]
    if len(due) == limit and any(outcome != "skipped" for outcome in outcomes):
        # Probably more is due. Whatever this run handled has left the due set, so the next
        # run makes progress (rows other workers hold are not a reason to spin).
        _enqueue_run(None)
    return outcomes.count("attempted")


def _take(action_id: int, now: datetime) -> EscalationAction | None:
    """The action locked for this transaction, if it is still due and no one else holds it."""
    rows = EscalationAction.objects.filter(
        pk=action_id, status__in=_OPEN, next_attempt_at__lte=now
    ).select_related("case__agreement_version", "case__client", "event__clock")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows.first()


def _audit(action: EscalationAction, code: str, now: datetime, **payload: Any) -> None:
    audit_record(
        actor=_actor(),
        action=f"escalation.{code}",
        client_id=action.client_id,
        obj=action.case,
        payload={
            "action": action.pk,
            "type": action.action_type,
            "ladder": action.spec.get("ladder"),
            "level": action.spec.get("level"),
            "event": action.event_id,
            **payload,
        },
        at=now,
    )


def _finish(
    action: EscalationAction, status: ActionStatus, now: datetime, *, error: str = ""
) -> None:
    action.status = status
    action.done_at = now if status == ActionStatus.DONE else None
    action.last_error = error
    action.save(update_fields=["status", "attempts", "done_at", "last_error", "next_attempt_at"])


def _run(action_id: int, *, now: datetime) -> RunOutcome:
    """Run one action: attempted, deferred to the calendar's next opening, or skipped (done
    meanwhile, or held by another worker)."""
    with transaction.atomic():
        action = _take(action_id, now)
        if action is None:
            return "skipped"
        opening = _waits_until(action, now)
        if opening is not None:
            action.status = ActionStatus.WAITING
            action.next_attempt_at = opening
            action.save(update_fields=["status", "next_attempt_at"])
            _audit(action, "deferred", now, until=opening.isoformat())
            transaction.on_commit(lambda: _enqueue_run(opening))
            return "deferred"
        if action.action_type not in NOTIFICATIONS:
            _run_write(action, now)
            return "attempted"
        try:
            with transaction.atomic():  # a savepoint: a failure here leaves the claim usable
                send = _prepare(action, now)
        except Exception as exc:  # e.g. a template or document error: not worth retrying
            _fail(action, now, exc)
            return "attempted"
        if send is None:
            return "attempted"  # failed without sending; recorded
        action.attempts += 1
        action.status = ActionStatus.PENDING
        action.next_attempt_at = now + LEASE
        action.save(update_fields=["attempts", "status", "next_attempt_at"])
    outcome = send()  # committed claim: no lock is held while talking to the outside
    _record(action, outcome, now)
    return "attempted"


def _waits_until(action: EscalationAction, now: datetime) -> datetime | None:
    """The calendar's next opening if this notification must not go out at `now`."""
    if action.action_type not in NOTIFICATIONS or not action.spec.get("respect_calendar", True):
        return None
    version = action.case.agreement_version
    if action.event.clock.calendar not in version.terms.calendars:
        return None
    calendar = agreement_calendar(version, action.event.clock.calendar)
    return None if calendar.is_open(now) else calendar.next_open(now)


# --- Writes to the case -------------------------------------------------------------------


def _fail(action: EscalationAction, now: datetime, exc: Exception) -> None:
    """A broken action must not stop the others: record it as failed."""
    logger.error("escalation action %s failed", action.pk, exc_info=exc)
    error = f"{type(exc).__name__}: {exc}"[:1000]
    action.attempts += 1
    _finish(action, ActionStatus.FAILED, now, error=error)
    _audit(action, "action_failed", now, error=error)


def _run_write(action: EscalationAction, now: datetime) -> None:
    spec = action.spec.get("action", {})
    try:
        with transaction.atomic():
            if action.action_type == REASSIGN:
                code, payload = _reassign(action, spec, now)
            elif action.action_type == RAISE_PRIORITY:
                code, payload = _raise_priority(action, spec, now)
            else:
                raise ValueError(f"unknown escalation action type {action.action_type!r}")
    except Exception as exc:
        _fail(action, now, exc)
        return
    action.attempts += 1
    _finish(action, ActionStatus.DONE, now)
    _audit(action, code, now, **payload)


def _reassign(
    action: EscalationAction, spec: dict[str, Any], now: datetime
) -> tuple[str, dict[str, Any]]:
    queue, role = spec.get("queue"), spec.get("role")
    case_route(actor=_actor(), case=action.case, queue=queue, role=role, now=now)
    return "case_routed", {"queue": queue, "role": role}


def _raise_priority(
    action: EscalationAction, spec: dict[str, Any], now: datetime
) -> tuple[str, dict[str, Any]]:
    """Raise to the target only if it is more urgent (earlier in the agreement's list)."""
    case = action.case
    case.refresh_from_db(fields=["priority"])
    priorities = case.agreement_version.terms.priorities
    target, current = str(spec["priority"]), case.priority
    rank = {name: index for index, name in enumerate(priorities)}
    if target not in rank:
        raise ValueError(f"{target!r} is not a priority of the agreement")
    if current in rank and rank[current] <= rank[target]:
        return "priority_unchanged", {"priority": current, "target": target}
    case_set_priority(actor=_actor(), case=case, priority=target, now=now)
    return "priority_raised", {"from": current, "to": target}


# --- Notifications ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt to notify came to."""

    ok: bool
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    delivery: tuple[WebhookRequest, WebhookResult] | None = None


def _prepare(action: EscalationAction, now: datetime) -> Callable[[], Outcome] | None:
    """What to send for this attempt, built inside the claim transaction (None: failed now)."""
    if action.action_type == WEBHOOK:
        request = webhook_request(action, attempt=action.attempts + 1)
        return lambda: _post(request)
    recipients = email_recipients(action, action.case.agreement_version.terms)
    if not recipients:
        action.attempts += 1
        error = "no recipient with an email address"
        _finish(action, ActionStatus.FAILED, now, error=error)
        _audit(action, "email_failed", now, error=error)
        return None
    message = escalation_email(action, recipients)
    return lambda: _mail(message)


def _post(request: WebhookRequest) -> Outcome:
    result = webhook_send(request)
    return Outcome(
        ok=result.ok,
        error=result.error or ("" if result.ok else f"HTTP {result.status_code}"),
        details={"url": request.url, "status_code": result.status_code},
        delivery=(request, result),
    )


def _mail(message: EmailMultiAlternatives) -> Outcome:
    details = {"recipients": list(message.to), "subject": message.subject}
    try:
        message.send()  # the default mailer (settings.MAILERS)
    except Exception as exc:  # SMTP and socket errors: retried like a failed webhook
        logger.warning("escalation email failed: %s", exc)
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:1000], details=details)
    return Outcome(ok=True, details=details)


def _record(claimed: EscalationAction, outcome: Outcome, now: datetime) -> None:
    """Store the outcome of the attempt `claimed` made (its delivery row, status, audit)."""
    attempt = claimed.attempts
    webhook = claimed.action_type == WEBHOOK
    with transaction.atomic():
        action = (
            EscalationAction.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=claimed.pk)
        )
        if outcome.delivery is not None:
            request, result = outcome.delivery
            webhook_delivery_record(action, attempt=attempt, request=request, result=result, at=now)
        if action.attempts != attempt or action.status not in _OPEN:
            return  # our lease ran out and another worker took the action over
        kind = "webhook" if webhook else "email"
        details = {**outcome.details, "attempts": attempt}
        if outcome.ok:
            _finish(action, ActionStatus.DONE, now)
            _audit(action, "webhook_delivered" if webhook else "email_sent", now, **details)
        elif attempt >= MAX_ATTEMPTS:
            _finish(action, ActionStatus.FAILED, now, error=outcome.error)
            _audit(action, f"{kind}_failed", now, error=outcome.error, **details)
        else:
            retry_at = now + retry_delay(attempt)
            action.next_attempt_at = retry_at
            _finish(action, ActionStatus.PENDING, now, error=outcome.error)
            transaction.on_commit(lambda: _enqueue_run(retry_at))


def _enqueue_run(when: datetime | None) -> None:
    """Run the task again at `when` (None: now).

    Backends that cannot defer (the ImmediateBackend of the tests) are only asked to run now:
    running a retry early would find nothing due, or recurse through every attempt at once."""
    from pactline.cases.tasks import escalation_actions_run  # tasks imports this module

    if when is None:
        escalation_actions_run.enqueue()
    elif escalation_actions_run.get_backend().supports_defer:
        escalation_actions_run.using(run_after=when).enqueue()

"""Escalation webhooks against a real HTTP server on 127.0.0.1: signature, retries, the log."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils.crypto import salted_hmac
from pytest_django.fixtures import Settings

from pactline.audit.models import AuditEvent
from pactline.cases.escalation_runner import (
    MAX_ATTEMPTS,
    escalation_actions_run_due,
    retry_delay,
)
from pactline.cases.models import ActionStatus, EscalationAction, WebhookDelivery
from pactline.cases.tasks import escalation_actions_run
from pactline.cases.tests.test_escalation_support import (
    fire,
    ladder,
    level,
    open_case,
    receiver,
    run,
    telecom,
)
from pactline.cases.webhooks import webhook_secret
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

AT = datetime(2026, 4, 7, 8, 31, tzinfo=UTC)  # a minute after the 14:00 IST breach


def _webhook_action(url: str) -> EscalationAction:
    """An open case whose breach fired a level with one webhook (sent whatever the hour)."""
    open_case(telecom(ladder(level(2, {"type": "webhook", "url": url}, respect_calendar=False))))
    [action] = fire(AT)
    return action


def _deliveries(action: EscalationAction) -> list[tuple[int, datetime, int | None, str]]:
    return list(
        WebhookDelivery.objects.filter(action=action)
        .order_by("attempt")
        .values_list("attempt", "attempted_at", "status_code", "error")
    )


def _signature(client: Client, body: bytes) -> str:
    return "sha256=" + hmac.new(webhook_secret(client).encode(), body, hashlib.sha256).hexdigest()


def test_the_webhook_is_signed_over_the_exact_body() -> None:
    with receiver(200) as hook:
        action = _webhook_action(hook.url)

        assert run(AT) == 1

    case = action.case
    [request] = hook.requests
    assert request.path == "/hooks/escalations"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Pactline-Event"] == "sla.escalation"
    assert request.headers["X-Pactline-Delivery"] == f"{action.pk}-1"
    assert request.headers["X-Pactline-Signature"] == _signature(case.client, request.body)
    assert json.loads(request.body) == {
        "event": "sla.escalation",
        "delivery": f"{action.pk}-1",
        "occurred_at": "2026-04-07T08:30:00+00:00",
        "sla_event": {"kind": "escalation", "level": 102},  # ladder 1, level 2
        "escalation": {"ladder": "web-faults", "level": 2, "action": "webhook"},
        "case": {
            "id": case.pk,
            "subject": "Fibre link down",
            "status": "new",
            "priority": "normal",
            "channel": "web",
        },
        "clock": {
            "key": "web.first_response",
            "cycle": 1,
            "due_at": "2026-04-07T08:30:00+00:00",
            "breached_at": "2026-04-07T08:30:00+00:00",
        },
        "client": {"code": "meridian-telecom"},
    }
    delivery = WebhookDelivery.objects.get(action=action)
    assert (delivery.attempt, delivery.url, delivery.status_code, delivery.error) == (
        1,
        hook.url,
        200,
        "",
    )
    assert delivery.response_excerpt == '{"received": 1}'
    assert delivery.attempted_at == AT
    action.refresh_from_db()
    assert (action.status, action.attempts, action.done_at) == (ActionStatus.DONE, 1, AT)
    [audit] = AuditEvent.objects.filter(action__startswith="escalation.")
    assert (audit.action, audit.payload["status_code"], audit.payload["url"]) == (
        "escalation.webhook_delivered",
        200,
        hook.url,
    )


def test_the_signing_key_is_per_client_and_derived_from_the_project_secret(
    settings: Settings,
) -> None:
    a = Client(code="client-a", name="A")
    b = Client(code="client-b", name="B")
    expected = salted_hmac("pactline.webhook", "client-a", algorithm="sha256").hexdigest()

    assert webhook_secret(a) == expected
    assert len(expected) == 64
    assert webhook_secret(a) != webhook_secret(b)
    settings.SECRET_KEY = "another project secret " * 3
    assert webhook_secret(a) != expected


def test_a_failed_attempt_is_retried_after_30_seconds_then_done() -> None:
    with receiver(500, 200) as hook:
        action = _webhook_action(hook.url)

        assert run(AT) == 1
        action.refresh_from_db()
        assert (action.status, action.attempts, action.next_attempt_at, action.last_error) == (
            ActionStatus.PENDING,
            1,
            AT + timedelta(seconds=30),
            "HTTP 500",
        )
        assert run(AT + timedelta(seconds=29)) == 0
        assert run(AT + timedelta(seconds=30)) == 1

    assert _deliveries(action) == [
        (1, AT, 500, "HTTP 500"),
        (2, AT + timedelta(seconds=30), 200, ""),
    ]
    assert [r.headers["X-Pactline-Delivery"] for r in hook.requests] == [
        f"{action.pk}-1",
        f"{action.pk}-2",
    ]
    assert all(
        r.headers["X-Pactline-Signature"] == _signature(action.case.client, r.body)
        for r in hook.requests
    )
    action.refresh_from_db()
    assert (action.status, action.attempts, action.done_at, action.last_error) == (
        ActionStatus.DONE,
        2,
        AT + timedelta(seconds=30),
        "",
    )


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def _run_until_settled(action: EscalationAction) -> None:
    for _ in range(MAX_ATTEMPTS + 2):
        action.refresh_from_db()
        if action.status != ActionStatus.PENDING:
            return
        assert run(action.next_attempt_at) == 1


def test_a_receiver_that_always_fails_gets_eight_attempts_then_the_action_fails() -> None:
    with receiver(500) as hook:
        action = _webhook_action(hook.url)
        _run_until_settled(action)

    offsets = [0, 30, 90, 210, 450, 930, 1890, 3810]  # 30 s, 1, 2, 4, 8, 16, 32 min apart
    assert _deliveries(action) == [
        (n, AT + timedelta(seconds=offset), 500, "HTTP 500")
        for n, offset in enumerate(offsets, start=1)
    ]
    assert len(hook.requests) == MAX_ATTEMPTS == 8
    action.refresh_from_db()
    assert (action.status, action.attempts, action.done_at, action.last_error) == (
        ActionStatus.FAILED,
        8,
        None,
        "HTTP 500",
    )
    assert run(AT + timedelta(days=1)) == 0
    assert list(
        AuditEvent.objects.filter(action__startswith="escalation.").values_list("action", flat=True)
    ) == ["escalation.webhook_failed"]


def test_an_unreachable_receiver_is_logged_and_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    action = _webhook_action(url)

    assert run(AT) == 1

    [(attempt, _at, status_code, error)] = _deliveries(action)
    assert (attempt, status_code) == (1, None)
    assert "refused" in error.lower()
    action.refresh_from_db()
    assert (action.status, action.next_attempt_at) == (
        ActionStatus.PENDING,
        AT + timedelta(seconds=30),
    )


def test_a_redirect_is_not_followed() -> None:
    with receiver(302) as hook:
        action = _webhook_action(hook.url)

        assert run(AT) == 1

    assert len(hook.requests) == 1
    assert _deliveries(action) == [(1, AT, 302, "HTTP 302")]


def test_a_retry_is_enqueued_to_run_when_it_is_due(
    settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with receiver(503) as hook:
        action = _webhook_action(hook.url)
        backend = escalation_actions_run.get_backend()
        backend.clear()  # type: ignore[attr-defined]

        with django_capture_on_commit_callbacks(execute=True):
            assert run(AT) == 1

    [queued] = backend.results  # type: ignore[attr-defined]
    assert queued.task.func == escalation_actions_run.func
    assert queued.task.run_after == AT + timedelta(seconds=30)
    action.refresh_from_db()
    assert action.next_attempt_at == AT + timedelta(seconds=30)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_action(settings: Settings) -> None:
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs a database that several connections can write at once")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with receiver(200, delay=0.2) as hook:
        version = telecom(ladder(level(2, {"type": "webhook", "url": hook.url})))
        for _ in range(4):
            open_case(version)
        fire(AT)
        start = threading.Barrier(2)
        attempted: list[int] = []

        def worker() -> None:
            try:
                start.wait()
                attempted.append(escalation_actions_run_due(now=AT))
            finally:
                connection.close()

        with time_machine.travel(AT, tick=False):
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)

    assert sum(attempted) == 4
    deliveries = [r.headers["X-Pactline-Delivery"] for r in hook.requests]
    assert len(deliveries) == len(set(deliveries)) == 4
    assert set(EscalationAction.objects.values_list("status", flat=True)) == {ActionStatus.DONE}

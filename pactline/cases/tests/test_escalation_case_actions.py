"""Escalations that change the case (reassign, raise priority) go through the case services;
and the telecom example's own four-level ladder end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage

from conftest import World
from pactline.agreements.tests.documents import example_data
from pactline.audit.models import AuditEvent
from pactline.cases.models import ActionStatus, AuthorKind, Case, EntryKind, EscalationAction
from pactline.cases.services import case_route
from pactline.cases.tests.test_escalation_support import (
    ACTOR,
    TUE_10AM_IST,
    activate,
    fire,
    ladder,
    level,
    open_case,
    receiver,
    run,
    telecom,
)
from pactline.common.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

AT = datetime(2026, 4, 7, 8, 31, tzinfo=UTC)  # a minute after the 14:00 IST breach


def _audit(*codes: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (event.action, event.payload)
        for event in AuditEvent.objects.filter(action__in=codes).order_by("id")
    ]


def _entries(case: Case) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    return list(
        case.timeline.exclude(kind=EntryKind.CREATED)
        .order_by("seq")
        .values_list("kind", "author_kind", "actor_label", "priority", "payload")
    )


def test_reassign_routes_the_case_through_the_service() -> None:
    case = open_case(
        telecom(
            ladder(level(1, {"type": "reassign", "queue": "tier2-technical", "role": "supervisor"}))
        )
    )
    [action] = fire(AT)

    assert run(AT) == 1

    case.refresh_from_db()
    assert case.queue == "tier2-technical"
    assert _entries(case) == [
        (
            EntryKind.ASSIGNED,
            AuthorKind.SYSTEM,
            "system:escalation",
            "",
            {"queue": "tier2-technical", "role": "supervisor"},
        )
    ]
    assert case.timeline.get(kind=EntryKind.ASSIGNED).at == AT
    assert _audit("case.routed", "escalation.case_routed") == [
        ("case.routed", {"queue": "tier2-technical", "role": "supervisor"}),
        (
            "escalation.case_routed",
            {
                "action": action.pk,
                "type": "reassign",
                "ladder": "web-faults",
                "level": 1,
                "event": action.event_id,
                "queue": "tier2-technical",
                "role": "supervisor",
            },
        ),
    ]
    action.refresh_from_db()
    assert (action.status, action.attempts, action.done_at) == (ActionStatus.DONE, 1, AT)


def test_raise_priority_raises_a_lower_priority() -> None:
    case = open_case(telecom(ladder(level(1, {"type": "raise_priority", "priority": "high"}))))
    [action] = fire(AT)

    assert run(AT) == 1

    case.refresh_from_db()
    assert case.priority == "high"
    assert _entries(case) == [
        (EntryKind.PRIORITY_CHANGE, AuthorKind.SYSTEM, "system:escalation", "high", {})
    ]
    assert _audit("escalation.priority_raised") == [
        (
            "escalation.priority_raised",
            {
                "action": action.pk,
                "type": "raise_priority",
                "ladder": "web-faults",
                "level": 1,
                "event": action.event_id,
                "from": "normal",
                "to": "high",
            },
        )
    ]
    # The clocks were re-targeted by the service: high is 1 h from the 10:00 IST start.
    clock = case.clocks.get(key="web.first_response", cycle=1)
    assert (clock.priority, clock.due_at) == ("high", TUE_10AM_IST + timedelta(hours=1))


def test_raise_priority_never_lowers_it() -> None:
    version = telecom(ladder(level(1, {"type": "raise_priority", "priority": "high"})))
    case = open_case(version, priority="critical")
    at = TUE_10AM_IST + timedelta(minutes=16)  # critical web first response: 15 min
    [action] = fire(at)

    assert run(at) == 1

    case.refresh_from_db()
    assert case.priority == "critical"
    assert _entries(case) == []
    assert [code for code, _payload in _audit("escalation.priority_unchanged")] == [
        "escalation.priority_unchanged"
    ]
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_an_action_the_service_refuses_fails_without_stopping_the_others(
    mailoutbox: list[EmailMessage],
) -> None:
    open_case(
        telecom(
            ladder(
                level(
                    1,
                    {"type": "reassign", "queue": "tier2-technical"},
                    {"type": "notify_email", "to": ["l2@lotusbay-care.example"]},
                )
            )
        )
    )
    reassign, email = fire(AT)
    # A queue name longer than the case's field (60): the service refuses it.
    EscalationAction.objects.filter(pk=reassign.pk).update(
        spec={**reassign.spec, "action": {"type": "reassign", "queue": "q" * 61}}
    )

    assert run(AT) == 2

    reassign.refresh_from_db()
    email.refresh_from_db()
    assert (reassign.status, reassign.attempts) == (ActionStatus.FAILED, 1)
    assert reassign.last_error.startswith("ValidationFailed")
    assert email.status == ActionStatus.DONE
    assert len(mailoutbox) == 1
    assert [code for code, _payload in _audit("escalation.action_failed")] == [
        "escalation.action_failed"
    ]


def test_case_route_checks_its_input_and_the_actor(world: World) -> None:
    version = telecom(ladder(level(1, {"type": "reassign", "queue": "x"})), code="client-a")
    case = open_case(version)
    with time_machine.travel(AT, tick=False):
        with pytest.raises(ValidationFailed):
            case_route(actor=ACTOR, case=case, now=AT)
        with pytest.raises(NotFound):
            case_route(actor=world.client_b_agent.actor, case=case, queue="billing", now=AT)
        assert case.timeline.filter(kind=EntryKind.ASSIGNED).count() == 0

        routed = case_route(actor=world.client_a_agent.actor, case=case, queue="billing", now=AT)
        again = case_route(actor=world.client_a_agent.actor, case=case, queue="billing", now=AT)

    assert routed.queue == again.queue == "billing"
    assert _entries(case) == [
        (
            EntryKind.ASSIGNED,
            AuthorKind.AGENT,
            "user:a-agent",
            "",
            {"queue": "billing", "role": None},
        )
    ]


def test_the_telecom_examples_ladder_end_to_end(mailoutbox: list[EmailMessage]) -> None:
    """The shipped four-level ladder (only the webhook URL points at a local receiver)."""
    with receiver(200) as hook:
        data = example_data("telecom-tiers")
        data["escalation"]["ladders"][0]["levels"][1]["actions"][1]["url"] = hook.url
        case = open_case(activate(data))

        # Level 1 at 75 % of the 4 h first response (13:00 IST): email L2 leads, reassign.
        level_1 = TUE_10AM_IST + timedelta(hours=3, minutes=1)
        assert [a.action_type for a in fire(level_1)] == ["notify_email", "reassign"]
        assert run(level_1) == 2
        # Level 2 at the breach (14:00 IST): the level's contact, and the client's NOC webhook.
        level_2 = TUE_10AM_IST + timedelta(hours=4, minutes=1)
        assert [a.action_type for a in fire(level_2)] == ["notify_email", "webhook"]
        assert run(level_2) == 2
        # Level 3 two business hours later (16:00 IST): the NOC manager, and priority critical.
        level_3 = TUE_10AM_IST + timedelta(hours=6, minutes=1)
        assert [a.action_type for a in fire(level_3)] == [
            "notify_client_contacts",
            "raise_priority",
        ]
        assert run(level_3) == 2

    case.refresh_from_db()
    assert (case.queue, case.priority) == ("tier2-technical", "critical")
    assert [(m.subject.split(":")[0], m.to) for m in mailoutbox] == [
        ("Escalation level 1 (technical-faults)", ["l2-leads@lotusbay-care.example"]),
        ("Escalation level 2 (technical-faults)", ["anita.desai@lotusbay-care.example"]),
        ("Escalation level 3 (technical-faults)", ["noc-manager@meridian-telecom.example"]),
    ]
    assert len(hook.requests) == 1
    assert [
        (kind, payload, priority) for kind, _author, _label, priority, payload in _entries(case)
    ] == [
        (EntryKind.ASSIGNED, {"queue": "tier2-technical", "role": None}, ""),
        (EntryKind.PRIORITY_CHANGE, {}, "critical"),
    ]

"""Escalation emails: recipients, content and language, service hours, and running once."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage
from pytest_django.fixtures import Settings

from pactline.agreements.models import AgreementVersion
from pactline.agreements.tests.documents import example_data
from pactline.audit.models import AuditEvent
from pactline.cases.clocks import clocks_fire_due
from pactline.cases.escalation_runner import escalation_actions_run_due
from pactline.cases.models import ActionStatus, EscalationAction, SlaEvent
from pactline.cases.services import case_set_priority
from pactline.cases.tasks import escalation_actions_run
from pactline.cases.tests.test_escalation_support import (
    ACTOR,
    TUE_5PM_IST,
    TUE_10AM_IST,
    WED_8AM_IST,
    activate,
    fire,
    ladder,
    level,
    open_case,
    run,
    telecom,
)
from pactline.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db

ANITA = {
    "name": "Anita Desai",
    "role": "Delivery Head",
    "email": "anita.desai@lotusbay-care.example",
}
DUTY_PHONE = {"name": "Duty phone", "role": "Duty manager", "phone": "+91 80 5555 0100"}
BREACH = datetime(2026, 4, 7, 8, 30, tzinfo=UTC)  # 14:00 IST: web first response, normal
AFTER_BREACH = BREACH + timedelta(minutes=1)
NIGHT = datetime(2026, 4, 7, 17, 45, tzinfo=UTC)  # 23:15 IST, the support desk is closed


@pytest.fixture(autouse=True)
def _site(settings: Settings) -> None:
    settings.SITE_URL = "https://pactline.example"
    settings.DEFAULT_FROM_EMAIL = "escalations@pactline.example"


def _escalation_audit() -> list[tuple[str, dict[str, Any]]]:
    return [
        (event.action, event.payload)
        for event in AuditEvent.objects.filter(action__startswith="escalation.").order_by("id")
    ]


def test_the_email_names_case_clock_level_and_due_time_in_both_zones(
    mailoutbox: list[EmailMessage],
) -> None:
    version = telecom(ladder(level(2, {"type": "notify_email"}, contacts=[ANITA])))
    case = open_case(version)
    [action] = fire(AFTER_BREACH)

    assert run(AFTER_BREACH) == 1

    [message] = mailoutbox
    assert message.to == ["anita.desai@lotusbay-care.example"]
    assert message.from_email == "escalations@pactline.example"
    assert message.subject == f"Escalation level 2 (web-faults): case #{case.pk} Fibre link down"
    assert message.body == (
        f'Case #{case.pk} of Meridian Telecom has reached level 2 of the escalation ladder "web-faults".\n'
        "\n"
        "Subject: Fibre link down\n"
        "Status: New · Priority: normal · Channel: Web help desk\n"
        "Clock: web.first_response (cycle 1)\n"
        "Due: 2026-04-07 14:00 Asia/Kolkata (2026-04-07 08:30 UTC)\n"
        "Breached: 2026-04-07 14:00 Asia/Kolkata (2026-04-07 08:30 UTC)\n"
        "Escalated: 2026-04-07 14:00 Asia/Kolkata (2026-04-07 08:30 UTC)\n"
        "\n"
        f"Open the case: https://pactline.example/cases/{case.pk}/\n"
        "\n"
        "--\n"
        "Sent by Pactline for Lotus Bay Customer Care, as the service agreement in force for "
        "this case requires.\n"
    )
    assert message.extra_headers == {
        "X-Pactline-Case": str(case.pk),
        "X-Pactline-Escalation": "web-faults/2",
    }
    [(html, mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert f'<a href="https://pactline.example/cases/{case.pk}/">Open the case</a>' in html
    assert "<td>2026-04-07 14:00 Asia/Kolkata (2026-04-07 08:30 UTC)</td>" in html

    action.refresh_from_db()
    assert (action.status, action.attempts, action.done_at, action.last_error) == (
        ActionStatus.DONE,
        1,
        AFTER_BREACH,
        "",
    )
    assert _escalation_audit() == [
        (
            "escalation.email_sent",
            {
                "action": action.pk,
                "type": "notify_email",
                "ladder": "web-faults",
                "level": 2,
                "event": action.event_id,
                "recipients": ["anita.desai@lotusbay-care.example"],
                "subject": message.subject,
                "attempts": 1,
            },
        )
    ]


def test_an_explicit_to_list_replaces_the_levels_contacts(mailoutbox: list[EmailMessage]) -> None:
    to = ["l2-leads@lotusbay-care.example", "noc@lotusbay-care.example"]
    version = telecom(ladder(level(1, {"type": "notify_email", "to": to}, contacts=[ANITA])))
    open_case(version)
    fire(AFTER_BREACH)

    assert run(AFTER_BREACH) == 1

    assert [message.to for message in mailoutbox] == [to]


@pytest.mark.parametrize(
    ("roles", "recipients"),
    [
        (["Network Operations Centre Manager"], ["noc-manager@meridian-telecom.example"]),
        (
            [],
            [
                "vikram.iyer@meridian-telecom.example",
                "noc-manager@meridian-telecom.example",
                "arjun.shah@meridian-telecom.example",
            ],
        ),
    ],
)
def test_client_contacts_are_chosen_by_role_from_the_agreement(
    mailoutbox: list[EmailMessage], roles: list[str], recipients: list[str]
) -> None:
    version = telecom(ladder(level(1, {"type": "notify_client_contacts", "roles": roles})))
    open_case(version)
    fire(AFTER_BREACH)

    assert run(AFTER_BREACH) == 1

    assert [message.to for message in mailoutbox] == [recipients]


def test_a_chinese_agreement_sends_chinese(mailoutbox: list[EmailMessage]) -> None:
    data = example_data("customer-service-zh")
    data["escalation"] = {
        "ladders": [
            {
                "name": "complaints",
                "applies_to": {"channels": ["chat"], "metrics": ["first_response"]},
                "levels": [level(1, {"type": "notify_client_contacts", "roles": ["客服运营经理"]})],
            }
        ]
    }
    version = activate(data)
    opened = datetime(2026, 4, 7, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
    case = open_case(version, opened, channel="chat", subject="订单未送达")
    at = opened + timedelta(minutes=1)  # chat first response: 30 s
    fire(at)

    assert run(at) == 1

    [message] = mailoutbox
    assert message.to == ["zhao.jing@huaxin-home.example"]
    assert message.subject == f"升级第 1 级（complaints）：工单 #{case.pk} 订单未送达"
    lines = message.body.splitlines()
    assert lines[0] == f"华信家居的工单 #{case.pk} 已达到升级流程“complaints”的第 1 级。"
    assert lines[2] == "主题：订单未送达"
    assert lines[4] == "时钟：chat.first_response（第 1 轮）"
    assert lines[5] == "截止时间：2026-04-07 10:00:30 Asia/Shanghai（2026-04-07 02:00:30 UTC）"
    assert lines[9] == f"查看工单：https://pactline.example/cases/{case.pk}/"
    [(html, _mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert '<html lang="zh-hans">' in html
    assert f'<a href="https://pactline.example/cases/{case.pk}/">查看工单</a>' in html


def _night_ladder(*, respect_calendar: bool) -> dict[str, Any]:
    # Two calendar hours after a 21:00 IST breach: 23:00 IST, after the desk closes at 22:00.
    return ladder(
        level(
            1,
            {"type": "notify_email", "to": ["duty@lotusbay-care.example"]},
            {"type": "reassign", "queue": "night-desk"},
            after_breach_seconds=7200,
            time_basis="calendar",
            respect_calendar=respect_calendar,
        )
    )


def test_a_notification_at_night_waits_for_the_next_opening(
    mailoutbox: list[EmailMessage],
) -> None:
    case = open_case(telecom(_night_ladder(respect_calendar=True)), TUE_5PM_IST)
    email, _reassign = fire(NIGHT)

    assert run(NIGHT) == 1  # the reassignment runs at once; the email waits

    email.refresh_from_db()
    assert (email.status, email.next_attempt_at, email.attempts) == (
        ActionStatus.WAITING,
        WED_8AM_IST,
        0,
    )
    assert mailoutbox == []
    case.refresh_from_db()
    assert case.queue == "night-desk"
    assert run(WED_8AM_IST - timedelta(seconds=1)) == 0
    assert mailoutbox == []

    assert run(WED_8AM_IST) == 1

    email.refresh_from_db()
    assert (email.status, email.done_at) == (ActionStatus.DONE, WED_8AM_IST)
    [message] = mailoutbox
    assert "Escalated: 2026-04-07 23:00 Asia/Kolkata (2026-04-07 17:30 UTC)" in message.body
    assert [code for code, _payload in _escalation_audit()] == [
        "escalation.deferred",
        "escalation.case_routed",
        "escalation.email_sent",
    ]
    assert _escalation_audit()[0][1]["until"] == "2026-04-08T02:30:00+00:00"


def test_a_level_that_ignores_the_calendar_notifies_at_night(
    mailoutbox: list[EmailMessage],
) -> None:
    open_case(telecom(_night_ladder(respect_calendar=False)), TUE_5PM_IST)
    email, _reassign = fire(NIGHT)

    assert run(NIGHT) == 2

    email.refresh_from_db()
    assert (email.status, email.done_at) == (ActionStatus.DONE, NIGHT)
    assert [message.to for message in mailoutbox] == [["duty@lotusbay-care.example"]]


def test_running_twice_sends_once(mailoutbox: list[EmailMessage]) -> None:
    open_case(telecom(ladder(level(1, {"type": "notify_email"}, contacts=[ANITA]))))
    fire(AFTER_BREACH)
    fire(AFTER_BREACH)  # the same due events again: no second action

    assert EscalationAction.objects.count() == 1
    assert run(AFTER_BREACH) == 1
    assert run(AFTER_BREACH) == 0
    assert run(AFTER_BREACH + timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1


def test_enqueuing_the_task_twice_sends_once(mailoutbox: list[EmailMessage]) -> None:
    open_case(telecom(ladder(level(1, {"type": "notify_email"}, contacts=[ANITA]))))
    fire(AFTER_BREACH)

    with time_machine.travel(AFTER_BREACH, tick=False):
        first = escalation_actions_run.enqueue()
        second = escalation_actions_run.enqueue()

    assert (first.return_value, second.return_value) == (1, 0)
    assert len(mailoutbox) == 1


def test_actions_run_after_the_clock_loop_commits(
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    open_case(telecom(ladder(level(1, {"type": "notify_email"}, contacts=[ANITA]))))

    with (
        time_machine.travel(AFTER_BREACH, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        clocks_fire_due(now=AFTER_BREACH)
        assert mailoutbox == []  # nothing leaves before the events are committed

    assert len(callbacks) == 1
    [action] = EscalationAction.objects.all()
    assert action.status == ActionStatus.DONE
    assert len(mailoutbox) == 1


def test_a_suppressed_escalation_creates_no_action(mailoutbox: list[EmailMessage]) -> None:
    # 75 % of the target, and the breach, as levels 1 and 2 of one ladder.
    version = telecom(
        ladder(
            level(
                1,
                {"type": "notify_email", "to": ["early@lotusbay-care.example"]},
                trigger={"at_percent": 75},
            ),
            level(2, {"type": "notify_email", "to": ["late@lotusbay-care.example"]}),
        )
    )
    case = open_case(version)
    raised_at = TUE_10AM_IST + timedelta(hours=1, minutes=30)
    # High priority: 1 h from the 10:00 start, so its 75 % point (10:45) is already past.
    with time_machine.travel(raised_at, tick=False):
        case_set_priority(actor=ACTOR, case=case, priority="high", now=raised_at)

    assert list(
        SlaEvent.objects.filter(case=case, kind="escalation")
        .order_by("level")
        .values_list("level", "suppressed")
    ) == [(101, True), (102, False)]
    assert [action.spec["level"] for action in EscalationAction.objects.all()] == [2]
    assert run(raised_at) == 1
    assert [message.to for message in mailoutbox] == [["late@lotusbay-care.example"]]


def test_escalating_to_contacts_without_an_email_address_is_refused_at_load() -> None:
    """Such an action could only fail when it fires: the agreement is refused instead."""
    data = example_data("telecom-tiers")
    data["parties"]["client"]["contacts"].append(DUTY_PHONE)
    data["escalation"] = {
        "ladders": [ladder(level(1, {"type": "notify_client_contacts", "roles": ["Duty manager"]}))]
    }
    with pytest.raises(ValidationFailed) as refused:
        activate(data)
    assert [(e.path, e.message) for e in refused.value.errors] == [
        (
            "escalation.ladders.0.levels.0.actions.0.roles.0",
            "no client contact with the role 'Duty manager' has an email address to receive it",
        )
    ]
    assert AgreementVersion.objects.count() == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_mail_server_is_retried_with_backoff(
    settings: Settings, mailoutbox: list[EmailMessage]
) -> None:
    open_case(telecom(ladder(level(1, {"type": "notify_email"}, contacts=[ANITA]))))
    [action] = fire(AFTER_BREACH)
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 5},
        }
    }

    assert run(AFTER_BREACH) == 1

    action.refresh_from_db()
    assert (action.status, action.attempts, action.next_attempt_at) == (
        ActionStatus.PENDING,
        1,
        AFTER_BREACH + timedelta(seconds=30),
    )
    assert action.last_error.startswith("ConnectionRefusedError")
    settings.MAILERS = locmem
    assert run(AFTER_BREACH + timedelta(seconds=29)) == 0

    assert run(AFTER_BREACH + timedelta(seconds=30)) == 1

    action.refresh_from_db()
    assert (action.status, action.attempts, action.last_error) == (ActionStatus.DONE, 2, "")
    assert len(mailoutbox) == 1


def test_the_runner_returns_how_many_it_attempted_within_the_limit(
    mailoutbox: list[EmailMessage],
) -> None:
    version = telecom(ladder(level(1, {"type": "notify_email"}, contacts=[ANITA])))
    for _ in range(3):
        open_case(version)
    fire(AFTER_BREACH)

    with time_machine.travel(AFTER_BREACH, tick=False):
        # A full batch asks for another run at once (the ImmediateBackend runs it inline).
        assert escalation_actions_run_due(now=AFTER_BREACH, limit=2) == 2

    assert len(mailoutbox) == 3
    assert set(EscalationAction.objects.values_list("status", flat=True)) == {ActionStatus.DONE}

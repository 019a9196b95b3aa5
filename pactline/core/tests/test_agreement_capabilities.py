"""What an agreement names must be something Pactline can do: each is refused at load with its
path and the allowed values (pause statuses, priorities, escalation roles and contacts, and
service levels on figures measured for the channel)."""

from __future__ import annotations

import pytest

from pactline.core.agreement import AgreementError, parse_agreement
from pactline.core.agreement.base import CASE_STATUSES, PAUSE_STATUSES
from pactline.core.agreement.service_levels import MEASURABLE, METRIC_KINDS
from pactline.core.tests.agreement_samples import (
    EXAMPLE_NAMES,
    MINIMAL,
    edit,
    errors_of,
    example_text,
    line_of,
)

PAUSABLE = "new, open, pending_customer, pending_client, escalated"


def only(text: str) -> AgreementError:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


def with_pause(statuses: str) -> str:
    return edit(
        MINIMAL,
        "      target_seconds: {critical: 3600, normal: 28800}\n",
        "      target_seconds: {critical: 3600, normal: 28800}\n"
        f"      pause_statuses: [{statuses}]\n",
    )


def with_ladder(levels: str) -> str:
    return edit(
        MINIMAL, "pricing:\n", f"escalation:\n  ladders:\n    - name: up\n{levels}pricing:\n"
    )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_agreement_loads(name: str) -> None:
    document = parse_agreement(example_text(name))
    assert document.parties.client.code


def test_pausing_on_a_status_no_case_can_have_is_refused() -> None:
    text = with_pause("pending_customer, awaiting_meter_read")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "service_levels.email.first_response.pause_statuses.1",
        "pause_status",
        line_of(text, "awaiting_meter_read"),
    )
    assert error.message == (
        "'awaiting_meter_read' is not a status a case can have while its clocks run;"
        f" use one of: {PAUSABLE}"
    )


def test_pausing_on_resolved_is_refused_since_resolving_stops_the_clock() -> None:
    assert (
        only(with_pause("resolved")).path == "service_levels.email.first_response.pause_statuses.0"
    )
    assert CASE_STATUSES[:5] == PAUSE_STATUSES


def test_pausing_on_case_statuses_loads() -> None:
    document = parse_agreement(with_pause("pending_customer, pending_client"))
    metric = document.service_levels["email"]["first_response"]
    assert metric.pause_statuses == ("pending_customer", "pending_client")  # type: ignore[union-attr]


def test_a_target_for_a_priority_the_agreement_does_not_list_is_refused() -> None:
    text = edit(MINIMAL, "{critical: 3600, normal: 28800}", "{critical: 3600, p9: 28800}")
    error = only(text)
    assert (error.path, error.code) == (
        "service_levels.email.first_response.target_seconds.p9",
        "priority_not_in_agreement",
    )
    assert error.message == (
        "priority 'p9' is not one of the agreement's priorities: critical, high, normal, low"
    )


def test_an_escalation_for_a_priority_the_agreement_does_not_list_is_refused() -> None:
    text = edit(
        with_ladder(
            "      applies_to: {priorities: [critical]}\n      levels:\n"
            "        - level: 1\n          trigger: {after_breach_seconds: 0}\n"
            "          actions:\n            - type: notify_client_contacts\n"
        ),
        "service_levels:",
        "priorities: [p1, p2]\nservice_levels:",
    )
    text = edit(text, "{critical: 3600, normal: 28800}", "{p1: 3600, p2: 28800}")
    error = only(text)
    assert (error.path, error.code, error.message) == (
        "escalation.ladders.0.applies_to.priorities.0",
        "priority_not_in_agreement",
        "priority 'critical' is not one of the agreement's priorities: p1, p2",
    )


def test_the_critical_calendar_serves_the_first_priority_by_default() -> None:
    text = edit(
        MINIMAL, "service_levels:", "priorities: [emergency, urgent, standard]\nservice_levels:"
    )
    text = edit(text, "{critical: 3600, normal: 28800}", "{emergency: 3600, standard: 28800}")
    document = parse_agreement(text)
    assert document.calendar_name("phone", "emergency") == "always"
    assert document.calendar_name("phone", "urgent") == "main"
    assert document.calendar_name("phone", "critical") == "main"  # not a priority here
    assert document.calendar_name("email", "emergency") == "main"  # no critical calendar
    assert document.calendar_name("chat", "emergency") is None  # not a channel of it


def test_the_critical_calendar_serves_the_priorities_the_agreement_says() -> None:
    text = edit(MINIMAL, "service_levels:", "priorities: [p1, p2, p3]\nservice_levels:")
    text = edit(text, "{critical: 3600, normal: 28800}", "{p1: 3600, p3: 28800}")
    text = edit(
        text,
        "    critical_calendar: always\n",
        "    critical_calendar: always\n    critical_calendar_priorities: [p1, p2]\n",
    )
    document = parse_agreement(text)
    assert [document.calendar_name("phone", p) for p in ("p1", "p2", "p3")] == [
        "always",
        "always",
        "main",
    ]
    assert document.critical_priorities("phone") == ("p1", "p2")
    assert document.critical_priorities("email") == ()


def test_critical_calendar_priorities_must_be_the_agreements() -> None:
    text = edit(
        MINIMAL,
        "    critical_calendar: always\n",
        "    critical_calendar: always\n    critical_calendar_priorities: [urgent]\n",
    )
    error = only(text)
    assert (error.path, error.code, error.message, error.line) == (
        "channels.phone.critical_calendar_priorities.0",
        "priority_not_in_agreement",
        "priority 'urgent' is not one of the agreement's priorities: critical, high, normal, low",
        line_of(text, "[urgent]"),
    )


def test_critical_calendar_priorities_need_a_critical_calendar() -> None:
    text = edit(
        MINIMAL,
        "  email:\n    calendar: main\n",
        "  email:\n    calendar: main\n    critical_calendar_priorities: [critical]\n",
    )
    error = only(text)
    assert (error.path, error.code, error.message) == (
        "channels.email.critical_calendar_priorities",
        "not_applicable",
        "does not apply when critical_calendar is absent",
    )


LEVEL = "      levels:\n        - level: 1\n          trigger: {after_breach_seconds: 0}\n"


def test_reassigning_to_a_role_pactline_does_not_have_is_refused() -> None:
    text = with_ladder(
        LEVEL + "          actions:\n            - {type: reassign, role: team_lead}\n"
    )
    error = only(text)
    assert (error.path, error.code, error.message) == (
        "escalation.ladders.0.levels.0.actions.0.role",
        "escalation_role",
        (
            "'team_lead' is not a role that can take an escalated case; use one of:"
            " supervisor, agent, provider_admin"
        ),
    )


def test_notifying_a_contact_role_the_client_does_not_have_is_refused() -> None:
    text = with_ladder(
        LEVEL + "          actions:\n            - {type: notify_client_contacts, roles: [CEO]}\n"
    )
    error = only(text)
    assert (error.path, error.code, error.message) == (
        "escalation.ladders.0.levels.0.actions.0.roles.0",
        "contact_role_not_in_agreement",
        "no client contact has the role 'CEO'; the client's contacts have: CX Lead",
    )


def test_notifying_client_contacts_without_an_email_is_refused() -> None:
    text = edit(MINIMAL, "        email: ann@client.example\n", "")
    with_role = with_ladder(
        LEVEL
        + "          actions:\n            - {type: notify_client_contacts, roles: [CX Lead]}\n"
    )
    with_role = edit(with_role, "        email: ann@client.example\n", "")
    error = only(with_role)
    assert (error.path, error.code, error.message) == (
        "escalation.ladders.0.levels.0.actions.0.roles.0",
        "contact_without_email",
        "no client contact with the role 'CX Lead' has an email address to receive it",
    )
    anyone = with_ladder(LEVEL + "          actions:\n            - type: notify_client_contacts\n")
    anyone = edit(anyone, "        email: ann@client.example\n", "")
    error = only(anyone)
    assert (error.path, error.code, error.message) == (
        "escalation.ladders.0.levels.0.actions.0.roles",
        "no_contact_email",
        "no client contact has an email address to receive it",
    )
    assert text  # the agreement itself, without escalations, still loads
    parse_agreement(text)


def test_a_level_contact_must_be_a_party_contact_with_an_email() -> None:
    text = with_ladder(
        LEVEL + "          contacts:\n            - {name: Bo Stranger, role: Boss}\n"
        "            - {name: Ann Lee, role: CX Lead, email: ann@client.example}\n"
        "          actions:\n            - type: notify_email\n"
    )
    assert [(e.path, e.code, e.message) for e in errors_of(text)] == [
        (
            "escalation.ladders.0.levels.0.contacts.0.email",
            "required",
            "is required",
        ),
        (
            "escalation.ladders.0.levels.0.contacts.0.name",
            "unknown_contact",
            (
                "'Bo Stranger' is not a contact of the provider or the client under parties;"
                " contacts: Ann Lee"
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("channel", "kind", "body", "allowed"),
    [
        (
            "email",
            "abandon_rate",
            "variant: queued\n      max_percent: 5",
            (
                "service_level, fcr, first_response, next_response, periodic_update, resolution,"
                " csat, nps"
            ),
        ),
        (
            "email",
            "aht",
            "max_seconds: 300",
            (
                "service_level, fcr, first_response, next_response, periodic_update, resolution,"
                " csat, nps"
            ),
        ),
        (
            "chat",
            "asa",
            "max_seconds: 30",
            (
                "service_level, aht, fcr, first_response, next_response, periodic_update,"
                " resolution, csat, nps"
            ),
        ),
        (
            "social",
            "service_level",
            "variant: SL-A\n      threshold_seconds: 60\n      target_percent: 80",
            "fcr, first_response, next_response, periodic_update, resolution, csat, nps",
        ),
    ],
)
def test_a_service_level_pactline_cannot_measure_on_the_channel_is_refused(
    channel: str, kind: str, body: str, allowed: str
) -> None:
    text = edit(MINIMAL, "  email:\n    calendar: main\n", f"  {channel}:\n    calendar: main\n")
    text = edit(text, "  email:\n    first_response:", f"  {channel}:\n    first_response:")
    text = edit(
        text,
        "pricing:\n",
        f"    extra:\n      kind: {kind}\n      critical: false\n      {body}\npricing:\n",
    )
    error = only(text)
    assert (error.path, error.code, error.message) == (
        f"service_levels.{channel}.extra.kind",
        "not_measurable",
        f"Pactline cannot measure {kind} on the {channel} channel; measurable there: {allowed}",
    )


def test_every_kind_is_measurable_on_the_phone_and_chat_handle_time_is() -> None:
    assert MEASURABLE["phone"] == METRIC_KINDS
    assert "aht" in MEASURABLE["chat"]
    assert set(MEASURABLE) == {"phone", "email", "chat", "social", "web"}

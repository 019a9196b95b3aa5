"""Escalation emails: who receives them, and the message in the agreement's language.

One message per action, addressed to all its recipients, rendered from
`cases/email/escalation_{subject,body}.txt` and `escalation_body.html`. Times are shown in the
clock's calendar time zone and in UTC, so a reader in either place knows what was due when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from pactline.agreements.execution import executes
from pactline.cases.models import CaseStatus, Channel, EscalationAction
from pactline.core.agreement import AgreementDocument

executes("language", "parties.client.contacts", "escalation.ladders.*.levels.*.contacts")

NOTIFY_EMAIL = "notify_email"
NOTIFY_CLIENT_CONTACTS = "notify_client_contacts"
# The agreement's language -> Django's language code.
_LANGUAGE_CODES = {"en": "en", "zh-Hans": "zh-hans"}


def language_code(document: AgreementDocument) -> str:
    return _LANGUAGE_CODES.get(document.language, settings.LANGUAGE_CODE)


def _unique(addresses: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(address for address in addresses if address))


def email_recipients(action: EscalationAction, document: AgreementDocument) -> list[str]:
    """`notify_email`: its `to`, else the level's contacts with an email address.
    `notify_client_contacts`: the client's designated contacts in one of `roles` (empty = all)."""
    spec = action.spec.get("action", {})
    if action.action_type == NOTIFY_EMAIL:
        if spec.get("to"):
            return _unique(spec["to"])
        return _unique(contact.get("email") for contact in action.spec.get("contacts", ()))
    if action.action_type == NOTIFY_CLIENT_CONTACTS:
        roles = set(spec.get("roles") or ())
        return _unique(
            contact.email
            for contact in document.parties.client.contacts
            if not roles or contact.role in roles
        )
    return []


def _times(moment: datetime | None, zone: ZoneInfo) -> dict[str, str] | None:
    """`moment` in the calendar's zone and in UTC (seconds shown only when not zero)."""
    if moment is None:
        return None
    shape = "%Y-%m-%d %H:%M:%S" if moment.second or moment.microsecond else "%Y-%m-%d %H:%M"
    return {
        "local": f"{moment.astimezone(zone).strftime(shape)} {zone.key}",
        "utc": f"{moment.astimezone(UTC).strftime(shape)} UTC",
    }


def email_context(action: EscalationAction, document: AgreementDocument) -> dict[str, Any]:
    case = action.case
    event = action.event
    clock = event.clock
    calendar = document.calendars.get(clock.calendar)
    zone = ZoneInfo(calendar.timezone if calendar is not None else "UTC")
    return {
        "case": case,
        "case_url": f"{settings.SITE_URL.rstrip('/')}/cases/{case.pk}/",
        "status": CaseStatus(case.status).label
        if case.status in CaseStatus.values
        else case.status,
        "channel": Channel(case.channel).label if case.channel in Channel.values else case.channel,
        "client_name": document.parties.client.name,
        "provider_name": document.parties.provider.name,
        "ladder": action.spec.get("ladder", ""),
        "level": action.spec.get("level", ""),
        "clock": clock,
        "due": _times(clock.due_at, zone),
        "breached": _times(clock.breached_at, zone),
        "escalated": _times(event.occurred_at, zone),
    }


def escalation_email(action: EscalationAction, recipients: list[str]) -> EmailMultiAlternatives:
    """The message for one notification action (text and HTML), not yet sent."""
    document = action.case.agreement_version.terms
    context = email_context(action, document)
    with translation.override(language_code(document)):
        subject = render_to_string("cases/email/escalation_subject.txt", context)
        text = render_to_string("cases/email/escalation_body.txt", context)
        html = render_to_string("cases/email/escalation_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's layout
        body=text.strip() + "\n",
        to=recipients,
        headers={
            "X-Pactline-Case": str(action.case_id),
            "X-Pactline-Escalation": f"{context['ladder']}/{context['level']}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message

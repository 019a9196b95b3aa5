"""Shaping of escalation ladders, reports, data protection, change control and termination."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

from pactline.agreements.presentation.labels import (
    CHANNELS,
    DATA_CLASSES,
    PERIODS,
    REPORT_CONTENTS,
    TIME_BASIS,
    TRANSFER_MECHANISMS,
    days,
    duration,
    label,
    labels_of,
    language_name,
    percent,
)
from pactline.core.agreement import AgreementDocument, Contact, EscalationLevel, Ladder, Report
from pactline.core.agreement.operations import (
    NotifyClientContacts,
    NotifyEmail,
    RaisePriority,
    Reassign,
    Webhook,
)
from pactline.core.agreement.policies import SubProcessor

# --- Escalation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelView:
    level: int
    trigger: str
    time_basis: str
    actions: list[str]
    contacts: list[Contact]
    respect_calendar: bool


@dataclass(frozen=True)
class LadderView:
    name: str
    description: str
    applies_to: str
    levels: list[LevelView]


def trigger_text(level: EscalationLevel) -> str:
    trigger = level.trigger
    if trigger.after_breach_seconds is not None:
        if trigger.after_breach_seconds == 0:
            return gettext("At breach")
        return gettext("%(t)s after breach") % {"t": duration(trigger.after_breach_seconds)}
    if trigger.before_breach_seconds is not None:
        return gettext("%(t)s before breach") % {"t": duration(trigger.before_breach_seconds)}
    return gettext("At %(p)s of the target") % {"p": percent(trigger.at_percent or 0)}


def action_text(action: object) -> str:
    if isinstance(action, NotifyEmail):
        if action.to:
            return gettext("Email %(to)s") % {"to": ", ".join(action.to)}
        return gettext("Email this level's contacts")
    if isinstance(action, Webhook):
        return gettext("Call the webhook %(url)s") % {"url": action.url}
    if isinstance(action, Reassign):
        parts = [gettext("queue %(q)s") % {"q": action.queue}] if action.queue else []
        if action.role:
            parts.append(gettext("role %(r)s") % {"r": action.role})
        return gettext("Reassign to %(target)s") % {"target": ", ".join(parts)}
    if isinstance(action, RaisePriority):
        return gettext("Raise the priority to %(p)s") % {"p": action.priority}
    if isinstance(action, NotifyClientContacts):
        if action.roles:
            roles = ", ".join(action.roles)
            return gettext("Notify the client's contacts: %(roles)s") % {"roles": roles}
        return gettext("Notify all the client's designated contacts")
    return str(action)


def _all_or(values: Iterable[str]) -> str:
    return ", ".join(values) or gettext("all")


def ladder_view(ladder: Ladder) -> LadderView:
    scope = ladder.applies_to
    applies_to = gettext(
        "channels: %(channels)s; priorities: %(priorities)s; service levels: %(levels)s"
    ) % {
        "channels": _all_or(labels_of(CHANNELS, scope.channels)),
        "priorities": _all_or(scope.priorities),
        "levels": _all_or(scope.metrics),
    }
    return LadderView(
        name=ladder.name,
        description=ladder.description or "",
        applies_to=applies_to,
        levels=[
            LevelView(
                level=level.level,
                trigger=trigger_text(level),
                time_basis=label(TIME_BASIS, level.time_basis),
                actions=[action_text(action) for action in level.actions],
                contacts=list(level.contacts),
                respect_calendar=level.respect_calendar,
            )
            for level in ladder.levels
        ],
    )


# --- Reporting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    name: str
    frequency: str
    recipients: list[str]
    contents: list[str]
    formats: list[str]
    channels: list[str]
    language: str
    due: str


def report_view(report: Report, default_language: str) -> ReportView:
    due = ""
    if report.due_days is not None:
        due = gettext("within %(d)s after the period") % {"d": days(report.due_days)}
    return ReportView(
        name=report.name,
        frequency=label(PERIODS, report.frequency),
        recipients=list(report.recipients),
        contents=labels_of(REPORT_CONTENTS, report.contents),
        formats=[fmt.upper() for fmt in report.format],
        channels=labels_of(CHANNELS, report.channels),
        language=language_name(report.language or default_language),
        due=due,
    )


# --- Policies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoliciesView:
    retention: list[tuple[str, str]]
    card_data: str
    card_display: str
    breach_notice: str
    confidentiality: str
    sub_processors: list[SubProcessor]
    cross_border: str
    access_on_request: str
    change_notice: str
    written_acceptance: str
    termination_notice: str
    transition: str
    data_return: str
    deletion_certificate: str


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def policies_view(doc: AgreementDocument) -> PoliciesView:
    protection = doc.data_protection
    retention = [
        (label(DATA_CLASSES, name), gettext("not kept") if value == 0 else days(value))
        for name, value in protection.retention_days.model_dump().items()
        if value is not None
    ]
    card = protection.card_data
    card_text = (
        gettext("Card data is never stored")
        if card.policy == "never_store"
        else gettext("Card data is redacted before anything is stored")
    )
    card_display = (
        gettext("Card numbers show the last 4 digits only")
        if card.pan_display == "last4"
        else gettext("Card numbers show the first 6 and last 4 digits")
    )
    cross_border = ""
    if protection.cross_border_transfer is not None:
        transfer = protection.cross_border_transfer
        cross_border = label(TRANSFER_MECHANISMS, transfer.mechanism)
        if transfer.destinations:
            cross_border += " → " + ", ".join(transfer.destinations)
    access = ""
    if protection.access_on_request is not None:
        request = protection.access_on_request
        kinds = [gettext("recordings")] if request.recordings else []
        if request.transcripts:
            kinds.append(gettext("transcripts"))
        access = gettext("%(what)s delivered within %(h)s of a request") % {
            "what": ", ".join(kinds) or gettext("nothing"),
            "h": duration(request.fulfilment_hours * 3600),
        }
    termination = doc.termination
    formats = ", ".join(fmt.upper() for fmt in termination.data_return_format)
    if termination.data_return_days is None:
        data_return = gettext("All client data returned as %(formats)s") % {"formats": formats}
    else:
        data_return = gettext("All client data returned as %(formats)s within %(d)s") % {
            "formats": formats,
            "d": days(termination.data_return_days),
        }
    return PoliciesView(
        retention=retention,
        card_data=card_text,
        card_display=card_display,
        breach_notice=gettext("within %(h)s of discovery")
        % {"h": duration(protection.breach_notice_hours * 3600)},
        confidentiality=gettext("Every agent signs a confidentiality agreement")
        if protection.confidentiality_agreement_required
        else gettext("Not required"),
        sub_processors=list(protection.sub_processors),
        cross_border=cross_border,
        access_on_request=access,
        change_notice=gettext("Changes take effect no earlier than %(d)s after written notice")
        % {"d": days(doc.change_control.notice_days)},
        written_acceptance=_yes_no(doc.change_control.requires_written_acceptance),
        termination_notice=days(termination.notice_days),
        transition=days(termination.transition_days),
        data_return=data_return,
        deletion_certificate=_yes_no(termination.deletion_certificate),
    )

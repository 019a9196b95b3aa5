"""Escalation ladders and the reports owed to the client."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag

from pactline.core.agreement.base import (
    ChannelKind,
    Email,
    EscalationRole,
    Identifier,
    Language,
    Model,
    PositiveSeconds,
    Seconds,
    Text,
    TimeBasis,
    Unique,
    Url,
    check_tag,
    duplicates,
    exactly_one,
    tag,
    tag_of,
)
from pactline.core.agreement.errors import Issue
from pactline.core.agreement.parties import Contact

# --- Escalation ---------------------------------------------------------------------------


class AppliesTo(Model):
    """Which clocks a ladder watches; an empty list means all."""

    channels: Annotated[tuple[ChannelKind, ...], Unique] = ()
    priorities: Annotated[tuple[Identifier, ...], Unique] = ()
    metrics: Annotated[tuple[Identifier, ...], Unique] = ()


class Trigger(Model):
    """When a level fires: after breach, before breach, or at a share of the target used."""

    after_breach_seconds: Seconds | None = None
    before_breach_seconds: PositiveSeconds | None = None
    at_percent: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None

    def _issues(self) -> Iterator[Issue]:
        yield from exactly_one(
            self, ("after_breach_seconds", "before_breach_seconds", "at_percent")
        )


class NotifyEmail(Model):
    """Email ``to``; without ``to``, the level's contacts that have an email address."""

    type: Literal["notify_email"]
    to: Annotated[tuple[Email, ...], Unique] = ()


class Webhook(Model):
    type: Literal["webhook"]
    url: Url


class Reassign(Model):
    """Move the case to a provider queue and/or hand it to a provider role (e.g. supervisor)."""

    type: Literal["reassign"]
    queue: Identifier | None = None
    role: EscalationRole | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.queue is None and self.role is None:
            yield Issue((), "at_least_one", {"fields": "queue, role"})


class RaisePriority(Model):
    type: Literal["raise_priority"]
    priority: Identifier


class NotifyClientContacts(Model):
    """Notify the client's designated contacts (those with one of ``roles``; empty = all)."""

    type: Literal["notify_client_contacts"]
    roles: Annotated[tuple[Text, ...], Unique] = ()


ACTION_TYPES = ("notify_email", "webhook", "reassign", "raise_priority", "notify_client_contacts")

Action = Annotated[
    Annotated[NotifyEmail, Tag(tag("notify_email"))]
    | Annotated[Webhook, Tag(tag("webhook"))]
    | Annotated[Reassign, Tag(tag("reassign"))]
    | Annotated[RaisePriority, Tag(tag("raise_priority"))]
    | Annotated[NotifyClientContacts, Tag(tag("notify_client_contacts"))],
    Discriminator(tag_of("type", ACTION_TYPES)),
    BeforeValidator(check_tag("type", ACTION_TYPES)),
]


class EscalationLevel(Model):
    """One rung: its trigger, what happens, and the people named at that level.

    ``respect_calendar`` delays notifications to closed hours until the next opening
    (critical cases on a 24/7 calendar are never delayed).
    """

    level: Annotated[int, Field(ge=1, le=20)]
    trigger: Trigger
    time_basis: TimeBasis = "business"
    actions: Annotated[tuple[Action, ...], Field(min_length=1)]
    contacts: tuple[Contact, ...] = ()
    respect_calendar: bool = True

    def _issues(self) -> Iterator[Issue]:
        has_email = any(contact.email for contact in self.contacts)
        for index, action in enumerate(self.actions):
            if isinstance(action, NotifyEmail) and not action.to and not has_email:
                yield Issue(("actions", index, "to"), "recipients_required", {})


class Ladder(Model):
    name: Identifier
    description: Text | None = None
    applies_to: AppliesTo = AppliesTo()
    levels: Annotated[tuple[EscalationLevel, ...], Field(min_length=1)]

    def _issues(self) -> Iterator[Issue]:
        for index in range(1, len(self.levels)):
            previous = self.levels[index - 1].level
            if self.levels[index].level <= previous:
                yield Issue(("levels", index, "level"), "not_increasing", {"previous": previous})


class Escalation(Model):
    ladders: tuple[Ladder, ...] = ()

    def _issues(self) -> Iterator[Issue]:
        yield from (
            Issue(("ladders", *issue.path), issue.code, issue.params)
            for issue in duplicates([ladder.name for ladder in self.ladders], "name")
        )


# --- Reporting ----------------------------------------------------------------------------

ReportContent = Literal[
    "volume",
    "response_times",
    "resolution_rate",
    "csat",
    "nps",
    "common_issues",
    "service_levels",
    "abandon_rate",
    "aht",
    "fcr",
    "escalations",
    "service_credits",
    "qa_scores",
    "staffing",
    "backlog",
]
ReportFormat = Literal["html", "pdf", "csv", "xlsx"]


class Report(Model):
    """A report owed to the client; ``language`` defaults to the agreement's language."""

    name: Text
    frequency: Literal["daily", "weekly", "monthly", "quarterly"]
    recipients: Annotated[tuple[Email, ...], Field(min_length=1), Unique]
    format: Annotated[tuple[ReportFormat, ...], Field(min_length=1), Unique]
    language: Language | None = None
    contents: Annotated[tuple[ReportContent, ...], Field(min_length=1), Unique]
    channels: Annotated[tuple[ChannelKind, ...], Unique] = ()
    due_days: Annotated[int, Field(ge=0, le=60)] | None = None


class Reporting(Model):
    reports: tuple[Report, ...] = ()

    def _issues(self) -> Iterator[Issue]:
        yield from (
            Issue(("reports", *issue.path), issue.code, issue.params)
            for issue in duplicates([report.name for report in self.reports], "name")
        )

"""The agreement document and the checks between its sections."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from pactline.core.agreement.base import (
    DEFAULT_PRIORITIES,
    EMAIL_ADDRESS,
    HTTP_URL,
    PHONE_NUMBER,
    SOCIAL_ACCOUNT,
    ChannelKind,
    Identifier,
    Language,
    Model,
    Text,
    TierName,
    Unique,
)
from pactline.core.agreement.calendar import CalendarSpec
from pactline.core.agreement.commercial import Pricing, ServiceCredits
from pactline.core.agreement.errors import Issue
from pactline.core.agreement.operations import (
    Escalation,
    NotifyClientContacts,
    RaisePriority,
    Reporting,
)
from pactline.core.agreement.parties import (
    ChannelSpec,
    Contact,
    Parties,
    Scope,
    Term,
    TierSpec,
)
from pactline.core.agreement.policies import ChangeControl, DataProtection, Termination
from pactline.core.agreement.service_levels import (
    MEASURABLE,
    ClockMetric,
    Metric,
    ServiceLevels,
)

Priorities = Annotated[tuple[Identifier, ...], Field(min_length=1), Unique]


class AgreementDocument(Model):
    """One version of a service agreement, as written (YAML or JSON)."""

    schema_version: Literal[1]
    reference: Text
    title: Text
    language: Language
    effective_from: date
    parties: Parties
    term: Term
    tier: TierName | None = None
    tiers: dict[TierName, TierSpec] = Field(default_factory=dict)
    scope: Scope
    calendars: Annotated[dict[Identifier, CalendarSpec], Field(min_length=1)]
    channels: Annotated[dict[ChannelKind, ChannelSpec], Field(min_length=1)]
    priorities: Priorities = DEFAULT_PRIORITIES
    service_levels: ServiceLevels
    escalation: Escalation = Escalation()
    reporting: Reporting = Reporting()
    pricing: Pricing
    service_credits: ServiceCredits | None = None
    data_protection: DataProtection
    change_control: ChangeControl = ChangeControl()
    termination: Termination

    def _issues(self) -> Iterator[Issue]:
        return reference_issues({name: getattr(self, name) for name in type(self).model_fields})

    def critical_priorities(self, channel: str) -> tuple[str, ...]:
        """The priorities the channel's critical calendar serves (none without one)."""
        spec = self.channels.get(channel)  # type: ignore[call-overload]
        if spec is None or spec.critical_calendar is None:
            return ()
        return tuple(spec.critical_calendar_priorities or self.priorities[:1])

    def calendar_name(self, channel: str, priority: str) -> str | None:
        """The calendar a case on ``channel`` at ``priority`` runs on (None: not a channel of
        the agreement): the critical calendar for the priorities it serves, else the channel's."""
        spec = self.channels.get(channel)  # type: ignore[call-overload]
        if spec is None:
            return None
        if priority in self.critical_priorities(channel):
            return str(spec.critical_calendar)
        return str(spec.calendar)

    def service_level(self, name: str) -> Metric | None:
        """The metric named ``<channel>.<metric>``, or None."""
        channel, _, metric = name.partition(".")
        for kind, metrics in self.service_levels.items():
            if kind == channel:
                return metrics.get(metric)
        return None


REQUIRED_SECTIONS = tuple(
    name for name, info in AgreementDocument.model_fields.items() if info.is_required()
)


_ADDRESS_RULES = {
    "phone": ("phone", PHONE_NUMBER),
    "email": ("email", EMAIL_ADDRESS),
    "chat": ("url", HTTP_URL),
    "web": ("url", HTTP_URL),
    "social": ("social_account", SOCIAL_ACCOUNT),
}


class _Invalid:
    """A section or map entry that failed validation: its name exists, its content is unknown."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def _section(doc: Mapping[str, Any], name: str) -> Any:
    value = doc.get(name)
    return None if value is INVALID else value


def _names(doc: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The entries of a map section (some may be INVALID), or None if unknown."""
    value = doc.get(name)
    return value if isinstance(value, Mapping) else None


def _valid(entries: Mapping[str, Any] | None) -> Iterator[tuple[str, Any]]:
    return ((key, value) for key, value in (entries or {}).items() if value is not INVALID)


def reference_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    """Problems between sections.

    ``doc`` maps section names to validated values; a section that failed validation is
    absent or ``INVALID`` (and is not checked), and a map section may hold INVALID entries
    whose names still count as defined.
    """
    yield from _term_issues(doc)
    yield from _channel_issues(doc)
    yield from _tier_issues(doc)
    yield from _service_level_issues(doc)
    yield from _escalation_issues(doc)
    yield from _commercial_issues(doc)


def _term_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    term: Term | None = _section(doc, "term")
    effective: date | None = _section(doc, "effective_from")
    if term is None or effective is None:
        return
    if effective < term.start or (term.end is not None and effective >= term.end):
        end = term.end.isoformat() if term.end else "-"
        yield Issue(("effective_from",), "outside_term", {"start": term.start, "end": end})


def _calendar(doc: Mapping[str, Any], path: tuple[str | int, ...], name: str) -> Iterator[Issue]:
    calendars = _names(doc, "calendars")
    if calendars is not None and name not in calendars:
        yield Issue(path, "unknown_calendar", {"name": name})


def _priority(
    doc: Mapping[str, Any], path: tuple[str | int, ...], priority: str
) -> Iterator[Issue]:
    known = doc.get("priorities", DEFAULT_PRIORITIES)
    if isinstance(known, tuple) and priority not in known:
        yield Issue(
            path, "priority_not_in_agreement", {"priority": priority, "choices": ", ".join(known)}
        )


def _channel(doc: Mapping[str, Any], path: tuple[str | int, ...], channel: str) -> Iterator[Issue]:
    channels = _names(doc, "channels")
    if channels is not None and channel not in channels:
        yield Issue(path, "channel_not_in_agreement", {"channel": channel})


def _channel_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    for kind, channel in _valid(_names(doc, "channels")):
        code, pattern = _ADDRESS_RULES.get(kind, ("", None))
        for index, address in enumerate(channel.addresses):
            if pattern is not None and not pattern.fullmatch(address):
                yield Issue(("channels", kind, "addresses", index), code, {"value": address})
        for field in ("calendar", "critical_calendar"):
            name = getattr(channel, field)
            if name is not None:
                yield from _calendar(doc, ("channels", kind, field), name)
        for index, priority in enumerate(channel.critical_calendar_priorities or ()):
            at = ("channels", kind, "critical_calendar_priorities", index)
            yield from _priority(doc, at, priority)


def _tier_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    for name, tier in _valid(_names(doc, "tiers")):
        if tier.minimum_priority is not None:
            yield from _priority(doc, ("tiers", name, "minimum_priority"), tier.minimum_priority)
        for index, channel in enumerate(tier.channels):
            yield from _channel(doc, ("tiers", name, "channels", index), channel)


def _service_level_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    levels = _names(doc, "service_levels") or {}
    for channel in levels:
        yield from _channel(doc, ("service_levels", channel), channel)
    for channel, metrics in _valid(levels):
        measurable = MEASURABLE.get(channel, ())
        for name, metric in metrics.items():
            base = ("service_levels", channel, name)
            if metric.kind not in measurable:
                yield Issue(
                    (*base, "kind"),
                    "not_measurable",
                    {"value": metric.kind, "channel": channel, "choices": ", ".join(measurable)},
                )
            for index, priority in enumerate(metric.applies_to_priorities or ()):
                yield from _priority(doc, (*base, "applies_to_priorities", index), priority)
            if isinstance(metric, ClockMetric):
                field = (
                    "target_seconds"
                    if metric.target_seconds is not None
                    else "target_business_days"
                )
                for priority in metric.priorities:
                    yield from _priority(doc, (*base, field, priority), priority)


def _escalation_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    escalation: Escalation | None = _section(doc, "escalation")
    if escalation is None:
        return
    levels = _names(doc, "service_levels")
    if levels is not None and INVALID in levels.values():
        levels = None  # some metric names are unknown: do not guess
    metric_names = {name for _, metrics in _valid(levels) for name in metrics}
    parties: Parties | None = _section(doc, "parties")
    for li, ladder in enumerate(escalation.ladders):
        base = ("escalation", "ladders", li)
        for index, channel in enumerate(ladder.applies_to.channels):
            yield from _channel(doc, (*base, "applies_to", "channels", index), channel)
        for index, priority in enumerate(ladder.applies_to.priorities):
            yield from _priority(doc, (*base, "applies_to", "priorities", index), priority)
        for index, metric in enumerate(ladder.applies_to.metrics):
            if levels is not None and metric not in metric_names:
                yield Issue(
                    (*base, "applies_to", "metrics", index), "unknown_metric", {"name": metric}
                )
        for vi, level in enumerate(ladder.levels):
            where = (*base, "levels", vi)
            for ai, action in enumerate(level.actions):
                if isinstance(action, RaisePriority):
                    yield from _priority(doc, (*where, "actions", ai, "priority"), action.priority)
                if isinstance(action, NotifyClientContacts) and parties is not None:
                    yield from _recipient_issues(
                        (*where, "actions", ai), action, parties.client.contacts
                    )
            if parties is not None:
                yield from _level_contact_issues(where, level.contacts, parties)


def _recipient_issues(
    where: tuple[str | int, ...], action: NotifyClientContacts, contacts: tuple[Contact, ...]
) -> Iterator[Issue]:
    """Each role names a client contact, and at least one of them has an email address."""
    roles = tuple(dict.fromkeys(contact.role for contact in contacts))
    if not action.roles and not any(contact.email for contact in contacts):
        yield Issue((*where, "roles"), "no_contact_email", {})
    for ri, role in enumerate(action.roles):
        holders = [contact for contact in contacts if contact.role == role]
        if not holders:
            yield Issue(
                (*where, "roles", ri),
                "contact_role_not_in_agreement",
                {"role": role, "choices": ", ".join(roles) or "-"},
            )
        elif not any(contact.email for contact in holders):
            yield Issue((*where, "roles", ri), "contact_without_email", {"role": role})


def _level_contact_issues(
    where: tuple[str | int, ...], contacts: tuple[Contact, ...], parties: Parties
) -> Iterator[Issue]:
    """People named at a level are the parties' contacts, reachable by email."""
    known = [*parties.provider.contacts, *parties.client.contacts]
    names = tuple(dict.fromkeys(contact.name for contact in known))
    for ci, contact in enumerate(contacts):
        if contact.name not in names:
            yield Issue(
                (*where, "contacts", ci, "name"),
                "unknown_contact",
                {"name": contact.name, "choices": ", ".join(names) or "-"},
            )
        if contact.email is None:
            yield Issue((*where, "contacts", ci, "email"), "required", {})


def _commercial_issues(doc: Mapping[str, Any]) -> Iterator[Issue]:
    reporting: Reporting | None = _section(doc, "reporting")
    for ri, report in enumerate(reporting.reports if reporting else ()):
        for index, channel in enumerate(report.channels):
            yield from _channel(doc, ("reporting", "reports", ri, "channels", index), channel)
    pricing: Pricing | None = _section(doc, "pricing")
    if pricing is not None:
        for ii, item in enumerate(pricing.items):
            for index, channel in enumerate(item.channels):
                yield from _channel(doc, ("pricing", "items", ii, "channels", index), channel)
        surcharge = pricing.after_hours_surcharge
        if surcharge is not None:
            yield from _calendar(
                doc, ("pricing", "after_hours_surcharge", "calendar"), surcharge.calendar
            )
    credits: ServiceCredits | None = _section(doc, "service_credits")
    levels = _names(doc, "service_levels")
    if credits is None or levels is None:
        return
    for index, allocation in enumerate(credits.allocations):
        at = ("service_credits", "allocations", index, "service_level")
        metrics = levels.get(allocation.channel)
        if metrics is INVALID:
            continue
        metric = (metrics or {}).get(allocation.metric)
        if metric is None:
            yield Issue(at, "unknown_service_level", {"name": allocation.service_level})
        elif not metric.critical:
            yield Issue(at, "not_credit_bearing", {"name": allocation.service_level})

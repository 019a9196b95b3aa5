"""The whole agreement document as one view model, and the lifecycle buttons of a version."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from pactline.agreements.execution import page_marks
from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.presentation.commercial import (
    CreditsView,
    PricingView,
    credits_view,
    pricing_view,
)
from pactline.agreements.presentation.labels import (
    CASE_CATEGORIES,
    CHANNELS,
    SERVICE_TYPES,
    TIERS,
    label,
    labels_of,
    language_name,
)
from pactline.agreements.presentation.operations import (
    LadderView,
    PoliciesView,
    ReportView,
    ladder_view,
    policies_view,
    report_view,
)
from pactline.agreements.presentation.sections import (
    CalendarView,
    ChannelView,
    PartyView,
    ServiceLevelView,
    TierView,
    calendar_view,
    party_view,
    service_level_view,
    term_text,
    tier_views,
)
from pactline.core.agreement import AgreementDocument, ServiceMap
from pactline.tenancy.access import Actor, Permission, has_permission


@dataclass(frozen=True)
class ServiceMapRow:
    basis: str  # what the work is recognised by: queue, dialled number, case category, …
    key: str
    service: str


def _service_map_rows(service_map: ServiceMap | None) -> list[ServiceMapRow]:
    """The map as the page's table, in the order its entries take precedence."""
    if service_map is None:
        return []
    basis = {
        "queues": gettext("Queue"),
        "numbers": gettext("Dialled number"),
        "categories": gettext("Case category"),
        "outbound": gettext("Outbound call in no mapped queue"),
        "default": gettext("Anything else"),
    }
    return [
        ServiceMapRow(
            basis=basis[part],
            key=label(CASE_CATEGORIES, key) if part == "categories" else key,
            service=label(SERVICE_TYPES, service),
        )
        for part, key, service in service_map.entries()
    ]


@dataclass(frozen=True)
class AgreementView:
    doc: AgreementDocument
    language: str
    tier: str
    term: str
    provider: PartyView
    client: PartyView
    tiers: list[TierView]
    service_types: list[str]
    case_categories: list[str]
    service_map: list[ServiceMapRow]
    languages: list[str]
    priorities: list[str]
    calendars: list[CalendarView]
    channels: list[ChannelView]
    service_levels: list[ServiceLevelView]
    ladders: list[LadderView]
    reports: list[ReportView]
    pricing: PricingView
    credits: CreditsView | None
    policies: PoliciesView
    not_yet: dict[str, bool]  # page mark -> its terms are shown but not yet executed


def _calendar_users(doc: AgreementDocument) -> dict[str, list[str]]:
    """Calendar name → the channels that keep its hours (shown beside each grid)."""
    users: dict[str, list[str]] = {}
    for kind, channel in doc.channels.items():
        users.setdefault(channel.calendar, []).append(label(CHANNELS, kind))
        if channel.critical_calendar:
            critical = gettext("%(channel)s (critical)") % {"channel": label(CHANNELS, kind)}
            users.setdefault(channel.critical_calendar, []).append(critical)
    return users


def agreement_view(doc: AgreementDocument) -> AgreementView:
    """Everything the version page shows, in the active language."""
    users = _calendar_users(doc)
    provider, client = doc.parties.provider, doc.parties.client
    return AgreementView(
        doc=doc,
        language=language_name(doc.language),
        tier=label(TIERS, doc.tier) if doc.tier else "",
        term=term_text(doc),
        provider=party_view(provider),
        client=party_view(client),
        tiers=tier_views(doc),
        service_types=labels_of(SERVICE_TYPES, doc.scope.service_types),
        case_categories=labels_of(CASE_CATEGORIES, doc.scope.case_categories),
        service_map=_service_map_rows(doc.scope.service_map),
        languages=[language_name(tag) for tag in doc.scope.languages],
        priorities=list(doc.priorities),
        calendars=[
            calendar_view(name, spec, year=doc.effective_from.year, used_by=users.get(name, []))
            for name, spec in doc.calendars.items()
        ],
        channels=[
            ChannelView(
                kind=label(CHANNELS, kind),
                enabled=channel.enabled,
                addresses=list(channel.addresses),
                calendar=channel.calendar,
                critical_calendar=channel.critical_calendar or "",
                critical_priorities=list(doc.critical_priorities(kind)),
                description=channel.description or "",
            )
            for kind, channel in doc.channels.items()
        ],
        service_levels=[
            service_level_view(channel, name, metric)
            for channel, metrics in doc.service_levels.items()
            for name, metric in metrics.items()
        ],
        ladders=[ladder_view(ladder) for ladder in doc.escalation.ladders],
        reports=[report_view(report, doc.language) for report in doc.reporting.reports],
        pricing=pricing_view(doc.pricing),
        credits=credits_view(doc),
        policies=policies_view(doc),
        not_yet=page_marks(),
    )


@dataclass(frozen=True)
class VersionActions:
    can_propose: bool
    can_accept: bool
    can_activate: bool
    # Activation needs the provider's written reason: the client has not accepted a change
    # that requires acceptance, and the agreement permits the provider to override.
    needs_override: bool = False

    @property
    def any(self) -> bool:
        return self.can_propose or self.can_accept or self.can_activate


def version_actions(actor: Actor, version: AgreementVersion) -> VersionActions:
    """Which lifecycle buttons to show: the actor's permission and the version's state.

    The services check again; this only keeps buttons that would be refused off the page."""
    client_id = version.client_id
    proposed = version.status == VersionStatus.PROPOSED
    awaiting = version.acceptance_required and version.accepted_at is None
    return VersionActions(
        can_propose=version.status == VersionStatus.DRAFT
        and has_permission(actor, Permission.AGREEMENT_DRAFT, client_id),
        can_accept=proposed
        and version.accepted_at is None
        and has_permission(actor, Permission.AGREEMENT_ACCEPT, client_id),
        can_activate=proposed
        and (not awaiting or version.override_permitted)
        and has_permission(actor, Permission.AGREEMENT_ACTIVATE, client_id),
        needs_override=awaiting and version.override_permitted,
    )

"""Escalations: SLA warnings, breaches and escalations of the period's cases, by level."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext as _

from pactline.cases.models import SlaEvent, SlaEventKind
from pactline.reports.content import Model
from pactline.reports.formatting import Section, Table, count, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class EscalationLevelCount(Model):
    level: int
    count: int


class Escalations(Model):
    warnings: int
    breaches: int
    escalations: int
    cases: int  # cases with at least one breach or escalation
    levels: list[EscalationLevelCount]


def build(ctx: BuildContext) -> Escalations:
    events = SlaEvent.objects.filter(
        client_id=ctx.client.id,
        occurred_at__gte=ctx.start,
        occurred_at__lt=ctx.end,
        suppressed=False,
        case__channel__in=list(ctx.channels),
    )
    kinds = Counter(
        dict(events.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    )
    levels = [
        EscalationLevelCount(level=level, count=count)
        for level, count in events.filter(kind=SlaEventKind.ESCALATION)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
        .order_by("level")
    ]
    cases = (
        events.filter(kind__in=(SlaEventKind.BREACH, SlaEventKind.ESCALATION))
        .values("case_id")
        .distinct()
        .count()
    )
    return Escalations(
        warnings=kinds[SlaEventKind.WARNING],
        breaches=kinds[SlaEventKind.BREACH],
        escalations=kinds[SlaEventKind.ESCALATION],
        cases=cases,
        levels=levels,
    )


def present(escalations: Escalations, p: Presenter) -> Section:
    summary = Table(
        "escalations",
        _("SLA warnings, breaches and escalations"),
        [_("Warnings"), _("Breaches"), _("Escalations"), _("Cases breached or escalated")],
        [
            [
                count(escalations.warnings),
                count(escalations.breaches),
                count(escalations.escalations),
                count(escalations.cases),
            ]
        ],
        numeric_from=0,
    )
    tables = [summary]
    if escalations.levels:
        levels = Table(
            "escalation_levels", _("Escalations by level"), [_("Level"), _("Escalations")]
        )
        levels.rows = [[count(row.level), count(row.count)] for row in escalations.levels]
        tables.append(levels)
    return Section(
        "escalations",
        title_of("escalations"),
        tables,
        notes=[
            _(
                "Events of cases on the channels reported on, by the time they"
                " occurred; suppressed warnings are not counted."
            )
        ],
    )


SECTION = register(ReportSection("escalations", Escalations, build, present))

"""Backlog: cases open at the period's end per channel, and how many of them are older."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from pactline.cases.models import Case
from pactline.reports.content import Model
from pactline.reports.formatting import Section, Table, channel_cell, count, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class BacklogRow(Model):
    channel: str
    open: int
    opened_before_period: int  # of those, opened before the period started


class Backlog(Model):
    rows: list[BacklogRow]
    total: int


def build(ctx: BuildContext) -> Backlog:
    open_at_end = (
        ctx.open_at_end(Case.objects.filter(ctx.cases(), opened_at__lt=ctx.end))
        .values("channel")
        .annotate(open=Count("id"), older=Count("id", filter=Q(opened_at__lt=ctx.start)))
    )
    found = {row["channel"]: (row["open"], row["older"]) for row in open_at_end}
    rows = [
        BacklogRow(
            channel=channel,
            open=found.get(channel, (0, 0))[0],
            opened_before_period=found.get(channel, (0, 0))[1],
        )
        for channel in ctx.channels
    ]
    return Backlog(rows=rows, total=sum(row.open for row in rows))


def present(backlog: Backlog, p: Presenter) -> Section:
    table = Table(
        "backlog",
        _("Open cases at the end of the period"),
        [_("Channel"), _("Open"), _("Of which opened before the period")],
    )
    for row in backlog.rows:
        table.rows.append(
            [channel_cell(row.channel), count(row.open), count(row.opened_before_period)]
        )
    table.rows.append(
        [
            channel_cell(""),
            count(backlog.total),
            count(sum(r.opened_before_period for r in backlog.rows)),
        ]
    )
    return Section("backlog", title_of("backlog"), [table])


SECTION = register(ReportSection("backlog", Backlog, build, present))

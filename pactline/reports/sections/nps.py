"""Net promoter score per channel and overall."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.core.kpi import nps
from pactline.reports.content import Kpi, Model
from pactline.reports.formatting import (
    DASH,
    Cell,
    Section,
    Table,
    channel_cell,
    definition,
    number,
    rounded,
    title_of,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class NpsRow(Model):
    channel: str
    nps: Kpi


class Nps(Model):
    rows: list[NpsRow]


def build(ctx: BuildContext) -> Nps:
    return Nps(
        rows=[
            NpsRow(channel=channel, nps=Kpi.of(nps(m)))
            for channel in (*ctx.channels, "")
            for m in [ctx.measured((channel,) if channel else ctx.channels).measures]
        ]
    )


def present(score: Nps, p: Presenter) -> Section:
    table = Table(
        "nps",
        _("Net promoter score"),
        [_("Channel"), _("NPS"), _("Responses"), _("Definition")],
        text_columns=(3,),
    )
    for row in score.rows:
        table.rows.append(
            [
                channel_cell(row.channel),
                Cell(
                    DASH if row.nps.value is None else number(row.nps.value, 1),
                    rounded(row.nps.value, 1),
                ),
                Cell(number(row.nps.denominator), int(row.nps.denominator)),
                Cell(definition(row.nps), definition(row.nps)),
            ]
        )
    return Section("nps", title_of("nps"), [table])


SECTION = register(ReportSection("nps", Nps, build, present))

"""Volume: contacts offered, answered, abandoned, callback requests and handled per channel,
and contacts offered per 15-minute interval (a daily report) or per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from pactline.reports.content import Model
from pactline.reports.formatting import Section, Table, channel_cell, count, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter, charts


class VolumeRow(Model):
    """``answered`` is calls answered on the phone and first responses on other channels."""

    channel: str
    offered: int
    answered: int
    abandoned: int
    callbacks: int
    handled: int


class VolumePoint(Model):
    at: datetime  # start of the bucket (UTC)
    offered: int
    answered: int
    abandoned: int


class Volume(Model):
    rows: list[VolumeRow]
    total: VolumeRow
    bucket: str  # "interval" (15 minutes) or "day"
    series: list[VolumePoint]


def build(ctx: BuildContext) -> Volume:
    def row(channel: str, channels: Sequence[str]) -> VolumeRow:
        m = ctx.measured(channels).measures
        answered = m.answered if channel == "phone" else m.first_responses
        if channel == "":
            answered = m.answered + m.first_responses
        return VolumeRow(
            channel=channel,
            offered=m.offered,
            answered=answered,
            abandoned=m.abandoned,
            callbacks=m.callbacks,
            handled=m.handled,
        )

    rows = [row(channel, (channel,)) for channel in ctx.channels]
    total = VolumeRow(
        channel="",
        **{
            name: sum(getattr(r, name) for r in rows)
            for name in ("offered", "answered", "abandoned", "callbacks", "handled")
        },
    )
    series = [
        VolumePoint(
            at=at,
            offered=m.measures.offered,
            answered=m.measures.answered + m.measures.first_responses,
            abandoned=m.measures.abandoned,
        )
        for at, m in zip(
            ctx.volume_bounds,
            ctx.cube.series(ctx.volume_bounds, channels=ctx.channels, end=ctx.period.end),
            strict=True,
        )
    ]
    return Volume(rows=rows, total=total, bucket=ctx.volume_bucket, series=series)


def present(volume: Volume, p: Presenter) -> Section:
    table = Table(
        "volume",
        _("Volume by channel"),
        [
            _("Channel"),
            _("Offered"),
            _("Answered"),
            _("Abandoned"),
            _("Callback requests"),
            _("Handled"),
        ],
        notes=[
            _("Answered: calls answered on the phone; first responses on other channels."),
            _("Handled: contacts an agent handled (answered calls, and cases that got a reply)."),
        ],
    )
    for row in [*volume.rows, volume.total]:
        table.rows.append(
            [
                channel_cell(row.channel),
                count(row.offered),
                count(row.answered),
                count(row.abandoned),
                count(row.callbacks),
                count(row.handled),
            ]
        )
    title = (
        _("Contacts offered per 15-minute interval")
        if volume.bucket == "interval"
        else _("Contacts offered per day")
    )
    labels = p.bucket_labels([point.at for point in volume.series], volume.bucket)
    figures = p.chart(
        "volume",
        title,
        lambda: charts().volume_chart(
            labels,
            [point.offered for point in volume.series],
            [point.answered for point in volume.series],
            offered_label=_("Offered"),
            answered_label=_("Answered"),
        ),
    )
    return Section("volume", title_of("volume"), [table], figures)


SECTION = register(ReportSection("volume", Volume, build, present))

"""A report's content as tables, charts and words in the active language.

Every format is drawn from the same `ReportView`: HTML and PDF show each cell's `text`
(numbers and dates localized), CSV and XLSX write its `value` (numbers rounded for reading,
dates ISO). KPI definitions come from the core's ``N_`` templates, translated here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import TypeAdapter

from pactline.agreements.presentation.labels import (
    CASE_CATEGORIES,
    METRIC_KINDS,
    label,
)
from pactline.agreements.presentation.sections import service_level_view
from pactline.core.agreement.service_levels import Metric
from pactline.reports import content as c
from pactline.reports.formatting import (
    DASH,
    VERDICTS,
    Cell,
    Chart,
    ReportView,
    Section,
    Table,
    case_url,
    channel_cell,
    channel_name,
    count,
    day_text,
    definition,
    kpi_cell,
    notes_of,
    number,
    period_text,
    rounded,
    title_of,
    unit_text,
    verdict_text,
)

_METRIC: TypeAdapter[Any] = TypeAdapter(Metric)
# --- Sections -------------------------------------------------------------------------------


def _verdict_pending(verdict: str, pending: int) -> str:
    """The verdict, and how many clock cycles were still within target at the end."""
    text = verdict_text(verdict)
    if not pending:
        return text
    return (
        text
        + " "
        + ngettext(
            "(%(n)s pending: within target at the end of the period)",
            "(%(n)s pending: within target at the end of the period)",
            pending,
        )
        % {"n": pending}
    )


def _charts() -> ModuleType:
    """The charts module, imported when a chart is drawn: matplotlib takes seconds to load,
    and every management command (the SMTP listener, the clock loop) loads the URL conf."""
    from pactline.reports import charts

    return charts


class _Presenter:
    def __init__(self, content: c.ReportContent, base_url: str, with_charts: bool) -> None:
        self.content = content
        self.base_url = base_url
        self.with_charts = with_charts
        self.zone = ZoneInfo(content.timezone)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def chart(self, key: str, title: str, draw: Callable[[], str]) -> list[Chart]:
        return [Chart(key, title, draw())] if self.with_charts else []

    def bucket_labels(self, points: Sequence[datetime], bucket: str) -> list[str]:
        pattern = "%H:%M" if bucket in ("interval", "hour") else "%m-%d"
        return [self.local(at).strftime(pattern) for at in points]

    @property
    def trend_bucket(self) -> str:
        return "hour" if self.content.frequency == "daily" else "day"

    def volume(self, volume: c.Volume) -> Section:
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
                _(
                    "Handled: contacts an agent handled (answered calls, and cases that got"
                    " a reply)."
                ),
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
        labels = self.bucket_labels([p.at for p in volume.series], volume.bucket)
        figures = self.chart(
            "volume",
            title,
            lambda: _charts().volume_chart(
                labels,
                [p.offered for p in volume.series],
                [p.answered for p in volume.series],
                offered_label=_("Offered"),
                answered_label=_("Answered"),
            ),
        )
        return Section("volume", title_of("volume"), [table], figures)

    def response_times(self, rows: list[c.ResponseTimesRow]) -> Section:
        columns = [
            _("First response (business hours)"),
            _("First response (calendar time)"),
            _("First responses within target"),
            _("Resolution (business hours)"),
            _("Resolution (calendar time)"),
            _("Resolutions within target"),
        ]
        table = Table(
            "response_times", _("Average response and resolution times"), [_("Channel"), *columns]
        )
        pairs: list[tuple[str, c.Kpi]] = []
        for row in rows:
            kpis = [
                row.first_response_business,
                row.first_response_calendar,
                row.first_response_within,
                row.resolution_business,
                row.resolution_calendar,
                row.resolution_within,
            ]
            table.rows.append([channel_cell(row.channel), *(kpi_cell(k) for k in kpis)])
            pairs.extend(zip(columns, kpis, strict=True))
        table.notes = notes_of(pairs)
        return Section("response_times", title_of("response_times"), [table])

    def resolution_rate(self, resolution: c.Resolution) -> Section:
        table = Table(
            "resolution_rate",
            _("Resolution rate"),
            [
                _("Channel"),
                _("Cases opened"),
                _("Resolved by the period's end"),
                _("Resolution rate"),
            ],
        )
        for row in [*resolution.rows, resolution.total]:
            table.rows.append(
                [
                    channel_cell(row.channel),
                    count(row.opened),
                    count(row.resolved),
                    kpi_cell(row.rate),
                ]
            )
        table.notes = notes_of([(_("Resolution rate"), resolution.total.rate)])
        return Section("resolution_rate", title_of("resolution_rate"), [table])

    def service_levels(self, levels: c.ServiceLevels) -> Section:
        section = Section("service_levels", title_of("service_levels"))
        several = len(levels.segments) > 1
        for segment in levels.segments:
            title = _("Service levels")
            if several:
                title = _("Service levels under version %(version)s, %(start)s – %(end)s") % {
                    "version": segment.version,
                    "start": formats.date_format(self.local(segment.start), "DATETIME_FORMAT"),
                    "end": formats.date_format(self.local(segment.end), "DATETIME_FORMAT"),
                }
            table = Table(
                "service_levels",
                title,
                [
                    _("Channel"),
                    _("Service level"),
                    _("Target"),
                    _("Measured value"),
                    _("Unit"),
                    _("Volume"),
                    _("Result"),
                    _("Definition"),
                ],
                numeric_from=3,
                text_columns=(4, 6, 7),
            )
            for result in segment.results:
                metric = _METRIC.validate_python(result.metric)
                view = service_level_view(result.channel, result.name, metric)
                name = metric.description or label(METRIC_KINDS, metric.kind)
                table.rows.append(
                    [
                        channel_cell(result.channel),
                        Cell(name, name),
                        Cell(view.target, view.target),
                        kpi_cell(result.value),
                        Cell(unit_text(result.value.unit), unit_text(result.value.unit)),
                        count(result.volume),
                        Cell(
                            _verdict_pending(result.verdict, result.pending),
                            _verdict_pending(result.verdict, result.pending),
                            css=VERDICTS.get(result.verdict, ""),
                        ),
                        Cell(definition(result.value), definition(result.value)),
                    ]
                )
            section.tables.append(table)
        if levels.trends:
            first = levels.trends[0]
            labels = self.bucket_labels([p.at for p in first.points], self.trend_bucket)
            lines = [
                (
                    f"{channel_name(t.channel)} · {t.description or label(METRIC_KINDS, t.kind)}",
                    [p.value for p in t.points],
                    t.target,
                )
                for t in levels.trends
            ]
            title = (
                _("Service level against target per hour")
                if self.trend_bucket == "hour"
                else _("Service level against target per day")
            )
            section.charts = self.chart(
                "service_levels",
                title,
                lambda: _charts().trend_chart(labels, lines, unit="%", target_label=_("target")),
            )
        if not levels.segments:
            section.notes.append(_("No agreement version was in force in this period."))
        return section

    def abandon_rate(self, rows: list[c.AbandonRow]) -> Section:
        table = Table(
            "abandon_rate",
            _("Abandoned contacts"),
            [_("Channel"), _("Abandon rate"), _("Average abandon time")],
        )
        pairs: list[tuple[str, c.Kpi]] = []
        for row in rows:
            table.rows.append(
                [channel_cell(row.channel), kpi_cell(row.rate), kpi_cell(row.average_abandon_time)]
            )
            pairs += [
                (_("Abandon rate"), row.rate),
                (_("Average abandon time"), row.average_abandon_time),
            ]
        table.notes = notes_of(pairs)
        return Section("abandon_rate", title_of("abandon_rate"), [table])

    def aht(self, aht: c.Aht) -> Section:
        columns = [
            _("Average handle time"),
            _("Average talk"),
            _("Average hold"),
            _("Average after-call work"),
            _("Average speed of answer"),
        ]
        table = Table("aht", _("Handle time and its parts"), [_("Channel"), *columns])
        pairs: list[tuple[str, c.Kpi]] = []
        for row in aht.rows:
            kpis = [row.aht, row.talk, row.hold, row.acw, row.asa]
            table.rows.append([channel_cell(row.channel), *(kpi_cell(k) for k in kpis)])
            pairs.extend(zip(columns, kpis, strict=True))
        table.notes = notes_of(pairs)
        section = Section("aht", title_of("aht"), [table])
        if aht.trend:
            labels = self.bucket_labels([p.at for p in aht.trend], self.trend_bucket)
            values = [None if p.value is None else p.value / Decimal(60) for p in aht.trend]
            section.charts = self.chart(
                "aht",
                _("Average handle time (minutes)"),
                lambda: _charts().trend_chart(
                    labels,
                    [(_("Average handle time"), values, None)],
                    unit=_("min"),
                    target_label=_("target"),
                ),
            )
        return section

    def fcr(self, rows: list[c.FcrRow]) -> Section:
        table = Table(
            "fcr",
            _("First-contact resolution"),
            [_("Channel"), _("First-contact resolution"), _("Contacts"), _("Definition")],
            text_columns=(3,),
        )
        for row in rows:
            table.rows.append(
                [
                    channel_cell(row.channel),
                    kpi_cell(row.fcr),
                    Cell(number(row.fcr.denominator), int(row.fcr.denominator)),
                    Cell(definition(row.fcr), definition(row.fcr)),
                ]
            )
        return Section("fcr", title_of("fcr"), [table])

    def csat(self, csat: c.Csat) -> Section:
        table = Table(
            "csat",
            _("Customer satisfaction"),
            [_("Channel"), _("CSAT (top-2-box)"), _("Mean score"), _("Responses")],
        )
        pairs: list[tuple[str, c.Kpi]] = []
        for row in csat.rows:
            table.rows.append(
                [
                    channel_cell(row.channel),
                    kpi_cell(row.top2box),
                    kpi_cell(row.mean),
                    Cell(number(row.top2box.denominator), int(row.top2box.denominator)),
                ]
            )
            pairs += [(_("CSAT (top-2-box)"), row.top2box), (_("Mean score"), row.mean)]
        table.notes = notes_of(pairs)
        section = Section("csat", title_of("csat"), [table])
        if csat.trend:
            labels = self.bucket_labels([p.at for p in csat.trend], self.trend_bucket)
            section.charts = self.chart(
                "csat",
                _("CSAT (top-2-box) trend"),
                lambda: _charts().trend_chart(
                    labels,
                    [(_("CSAT (top-2-box)"), [p.value for p in csat.trend], None)],
                    unit="%",
                    target_label=_("target"),
                ),
            )
        return section

    def nps(self, rows: list[c.NpsRow]) -> Section:
        table = Table(
            "nps",
            _("Net promoter score"),
            [_("Channel"), _("NPS"), _("Responses"), _("Definition")],
            text_columns=(3,),
        )
        for row in rows:
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

    def escalations(self, escalations: c.Escalations) -> Section:
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

    def _issues(
        self, key: str, title: str, first: str, rows: list[c.IssueRow], name: Callable[[str], str]
    ) -> Table:
        table = Table(
            key,
            title,
            [first, _("Cases"), _("Previous period"), _("Change"), _("Sample cases")],
            text_columns=(4,),
        )
        for row in rows:
            change = row.count - row.previous
            if row.previous:
                share = Decimal(change) * 100 / Decimal(row.previous)
                change_text = f"{change:+d} ({'+' if share >= 0 else ''}{number(share, 1)}%)"
            else:
                change_text = _("new") if row.count else DASH
            links = tuple((f"#{case}", case_url(case, self.base_url)) for case in row.samples)
            table.rows.append(
                [
                    Cell(name(row.code), name(row.code)),
                    count(row.count),
                    count(row.previous),
                    Cell(change_text, change),
                    Cell(
                        " ".join(text for text, _href in links),
                        " ".join(f"#{case}" for case in row.samples),
                        links=links,
                    ),
                ]
            )
        return table

    def common_issues(self, issues: c.CommonIssues) -> Section:
        def category(code: str) -> str:
            return label(CASE_CATEGORIES, code) if code else _("Uncategorised")

        tables = [
            self._issues(
                "categories", _("Top categories"), _("Category"), issues.categories, category
            ),
            self._issues("tags", _("Top tags"), _("Tag"), issues.tags, str),
        ]
        notes = [
            _(
                "%(cases)s cases opened in the period, %(previous)s in the previous period"
                " (%(start)s – %(end)s)."
            )
            % {
                "cases": number(issues.cases),
                "previous": number(issues.previous_cases),
                "start": day_text(self.content.previous_start),
                "end": day_text(self.content.previous_end),
            }
        ]
        section = Section("common_issues", title_of("common_issues"), tables, notes=notes)
        if issues.categories:
            names = [category(row.code) for row in issues.categories]
            section.charts = self.chart(
                "categories",
                _("Top categories"),
                lambda: _charts().bar_chart(
                    names,
                    [row.count for row in issues.categories],
                    [row.previous for row in issues.categories],
                    current_label=_("This period"),
                    previous_label=_("Previous period"),
                ),
            )
        return section

    def backlog(self, backlog: c.Backlog) -> Section:
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


def report_view(
    content: c.ReportContent,
    *,
    generated_at: datetime | None = None,
    base_url: str | None = None,
    with_charts: bool = True,
    audit_anchor: str = "",
) -> ReportView:
    """The report in the active language (callers wrap it in `translation.override`)."""
    presenter = _Presenter(
        content, base_url if base_url is not None else settings.SITE_URL, with_charts
    )
    sections = []
    for name in content.contents:
        value = getattr(content, name, None)
        if value is not None and hasattr(presenter, name):
            sections.append(getattr(presenter, name)(value))
        elif name in content.unavailable:
            sections.append(
                Section(
                    name,
                    title_of(name),
                    notes=[_("Not available in this report: Pactline does not measure this yet.")],
                )
            )
    facts = [
        (_("Client"), content.client_name),
        (_("Period"), period_text(content)),
        (
            _("Agreement"),
            f"{content.agreement} · "
            + _("version %(versions)s") % {"versions": ", ".join(map(str, content.versions))},
        ),
        (_("Channels"), ", ".join(channel_name(code) for code in content.channels)),
        (_("Time zone"), content.timezone),
    ]
    if audit_anchor:  # the client's audit chain head when the report was generated
        facts.append((_("Audit anchor"), audit_anchor))
    generated = ""
    if generated_at is not None:
        generated = str(
            formats.date_format(generated_at.astimezone(presenter.zone), "DATETIME_FORMAT")
        )
    return ReportView(
        title=content.report_name,
        client=content.client_name,
        period=period_text(content),
        facts=facts,
        sections=sections,
        language=content.language,
        generated=generated,
    )

"""Common issues: the top case categories and tags of the period, against the previous equal
period, with sample cases.

Each case counts with the category and tags it had at the end of the period it is counted in
(agents may change them later): its "classified" timeline entries say what they were then."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pactline.agreements.presentation.labels import CASE_CATEGORIES, label
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.metrics.intervals import local_midnight
from pactline.metrics.periods import previous_period
from pactline.reports.content import Model
from pactline.reports.formatting import (
    DASH,
    Cell,
    Section,
    Table,
    case_url,
    count,
    day_text,
    number,
    title_of,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter, charts

TOP_ISSUES = 10
SAMPLES = 3


class IssueRow(Model):
    code: str
    count: int
    previous: int
    samples: list[int]  # case ids, oldest first


class CommonIssues(Model):
    cases: int
    previous_cases: int
    categories: list[IssueRow]
    tags: list[IssueRow]


type Tally = tuple[int, Counter[str], Counter[str], dict[str, list[int]], dict[str, list[int]]]


def build(ctx: BuildContext) -> CommonIssues:
    first, _last = previous_period(ctx.frequency, ctx.first)
    previous_start = local_midnight(first, ctx.zone)

    def tally(start: datetime, end: datetime, samples: bool) -> Tally:
        categories: Counter[str] = Counter()
        tags: Counter[str] = Counter()
        category_samples: dict[str, list[int]] = {}
        tag_samples: dict[str, list[int]] = {}
        total = 0
        cases = Case.objects.filter(ctx.cases(), opened_at__gte=start, opened_at__lt=end)
        then = _classified_at(cases, end)
        rows = cases.order_by("opened_at", "id").values_list("id", "category", "tags")
        for case_id, now_category, now_tags in rows.iterator(chunk_size=5000):
            category, case_tags = then.get(case_id, (now_category, now_tags))
            total += 1
            categories[category] += 1
            if samples:
                _sample(category_samples, category, case_id)
            for tag in _tags(case_tags):
                tags[tag] += 1
                if samples:
                    _sample(tag_samples, tag, case_id)
        return total, categories, tags, category_samples, tag_samples

    total, categories, tags, category_samples, tag_samples = tally(ctx.start, ctx.end, True)
    previous_total, previous_categories, previous_tags, _, _ = tally(
        previous_start, ctx.start, False
    )

    def top(
        counts: Counter[str], before: Counter[str], samples: dict[str, list[int]]
    ) -> list[IssueRow]:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_ISSUES]
        return [
            IssueRow(code=code, count=count, previous=before[code], samples=samples[code])
            for code, count in ranked
        ]

    return CommonIssues(
        cases=total,
        previous_cases=previous_total,
        categories=top(categories, previous_categories, category_samples),
        tags=top(tags, previous_tags, tag_samples),
    )


type Classification = tuple[str, object]  # category, tags


def _classified_at(cases: QuerySet[Case], end: datetime) -> dict[int, Classification]:
    """The category and tags at `end` of those of `cases` whose agents changed them, from
    their "classified" entries (one query): what the last change at or before `end` set, else
    what the first change after it found. Cases without such entries keep their own."""
    entries = (
        TimelineEntry.objects.filter(kind=EntryKind.CLASSIFIED, case__in=cases.values("id"))
        .order_by("case_id", "seq")
        .values_list("case_id", "at", "payload")
    )
    found: dict[int, Classification] = {}
    for case_id, at, payload in entries.iterator(chunk_size=5000):
        side = "after" if at <= end else "before"
        if side == "before" and case_id in found:
            continue  # an earlier entry already answered for `end`
        value = payload.get(side) if isinstance(payload, dict) else None
        if isinstance(value, dict):
            found[case_id] = (str(value.get("category", "")), value.get("tags", []))
    return found


def _tags(value: object) -> Iterable[str]:
    if not isinstance(value, list):
        return ()
    return dict.fromkeys(str(tag) for tag in value if str(tag).strip())


def _sample(samples: dict[str, list[int]], code: str, case_id: int) -> None:
    found = samples.setdefault(code, [])
    if len(found) < SAMPLES:
        found.append(case_id)


def _issues(
    p: Presenter, key: str, title: str, first: str, rows: list[IssueRow], name: Callable[[str], str]
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
        links = tuple(
            (f"#{case}", case_url(case, p.base_url)) for case in row.samples if p.case_links
        )
        table.rows.append(
            [
                Cell(name(row.code), name(row.code)),
                count(row.count),
                count(row.previous),
                Cell(change_text, change),
                Cell(
                    " ".join(f"#{case}" for case in row.samples),
                    " ".join(f"#{case}" for case in row.samples),
                    links=links,
                ),
            ]
        )
    return table


def present(issues: CommonIssues, p: Presenter) -> Section:
    def category(code: str) -> str:
        return label(CASE_CATEGORIES, code) if code else _("Uncategorised")

    tables = [
        _issues(p, "categories", _("Top categories"), _("Category"), issues.categories, category),
        _issues(p, "tags", _("Top tags"), _("Tag"), issues.tags, str),
    ]
    notes = [
        _(
            "%(cases)s cases opened in the period, %(previous)s in the previous period"
            " (%(start)s – %(end)s)."
        )
        % {
            "cases": number(issues.cases),
            "previous": number(issues.previous_cases),
            "start": day_text(p.content.previous_start),
            "end": day_text(p.content.previous_end),
        }
    ]
    section = Section("common_issues", title_of("common_issues"), tables, notes=notes)
    if issues.categories:
        names = [category(row.code) for row in issues.categories]
        section.charts = p.chart(
            "categories",
            _("Top categories"),
            lambda: charts().bar_chart(
                names,
                [row.count for row in issues.categories],
                [row.previous for row in issues.categories],
                current_label=_("This period"),
                previous_label=_("Previous period"),
            ),
        )
    return section


SECTION = register(ReportSection("common_issues", CommonIssues, build, present))

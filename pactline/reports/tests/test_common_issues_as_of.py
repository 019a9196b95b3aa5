"""Common issues count each case with the category and tags it had at the end of the period
(read from its "classified" timeline entries), not what agents changed them to later; and
with one query for those entries whatever the number of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pactline.cases.models import Case
from pactline.cases.services import case_classify, case_open
from pactline.cases.tags import case_tag_add
from pactline.cases.tests.fixtures import northwind
from pactline.reports.data import report_period, report_spec
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.common_issues import CommonIssues, build
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

SYSTEM = system_actor("test")
OPEN = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
# The day's end in New York (EST): Tuesday 05:00 UTC.
END = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)


def _open(client: Client, category: str, at: datetime) -> Case:
    return case_open(
        actor=SYSTEM,
        client=client,
        channel="email",
        priority="normal",
        category=category,
        at=at,
        now=at,
    )


def _classify(case: Case, category: str, tags: list[str], at: datetime) -> None:
    case_classify(actor=SYSTEM, case=case, category=category, tags=tags, now=at)


def _issues(client: Client) -> CommonIssues:
    spec = report_spec(client, "Monthly service review", datetime(2026, 11, 1, tzinfo=UTC))
    daily = spec.report.model_copy(update={"frequency": "daily"})
    spec = type(spec)(spec.version, spec.terms, daily)
    ctx = BuildContext(client, spec, report_period(client, "daily", date(2026, 3, 2)))
    assert (ctx.start, ctx.end) == (END - timedelta(days=1), END)
    return build(ctx)


def test_cases_count_as_they_stood_at_the_periods_end() -> None:
    client = northwind()
    for name in ("late", "refund"):
        case_tag_add(actor=SYSTEM, client=client, name=name, now=OPEN)
    # Re-classified during the day, then again after it ended: counts as the day left it.
    a = _open(client, "inquiry", OPEN)
    _classify(a, "complaint", ["late"], OPEN + timedelta(hours=1))
    _classify(a, "billing_inquiry", ["refund"], END + timedelta(days=1))
    # Classified only after the day ended (a second later): counts as opened.
    b = _open(client, "inquiry", OPEN + timedelta(minutes=10))
    _classify(b, "complaint", ["refund"], END + timedelta(seconds=1))
    _classify(b, "feedback", ["late", "refund"], END + timedelta(days=2))
    # Classified exactly at the end: that counts.
    c = _open(client, "", OPEN + timedelta(minutes=20))
    _classify(c, "feedback", ["refund"], END)
    # Never re-classified.
    d = _open(client, "complaint", OPEN + timedelta(minutes=30))
    # Opened the day before, re-classified on the day: the previous period sees it as it was.
    p = _open(client, "inquiry", OPEN - timedelta(days=1))
    _classify(p, "complaint", ["late"], OPEN)

    assert list(Case.objects.order_by("pk").values_list("category", "tags")) == [
        ("billing_inquiry", ["refund"]),
        ("feedback", ["late", "refund"]),
        ("feedback", ["refund"]),
        ("complaint", []),
        ("complaint", ["late"]),
    ]
    issues = _issues(client)
    assert (issues.cases, issues.previous_cases) == (4, 1)
    assert [(r.code, r.count, r.previous, r.samples) for r in issues.categories] == [
        ("complaint", 2, 0, [a.pk, d.pk]),
        ("feedback", 1, 0, [c.pk]),
        ("inquiry", 1, 1, [b.pk]),
    ]
    assert [(r.code, r.count, r.previous, r.samples) for r in issues.tags] == [
        ("late", 1, 0, [a.pk]),
        ("refund", 1, 0, [c.pk]),
    ]


def test_one_query_for_the_entries_whatever_the_number_of_cases() -> None:
    client = northwind()
    case_tag_add(actor=SYSTEM, client=client, name="late", now=OPEN)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _issues(client)
        return len(captured.captured_queries)

    _classify(_open(client, "inquiry", OPEN), "complaint", [], END + timedelta(hours=1))
    few = queries()
    for minute in range(1, 8):
        case = _open(client, "inquiry", OPEN + timedelta(minutes=minute))
        _classify(case, "complaint", ["late"], OPEN + timedelta(hours=1))
        _classify(case, "feedback", [], END + timedelta(hours=1))
    assert queries() == few
    issues = _issues(client)
    assert [(r.code, r.count) for r in issues.categories] == [("complaint", 7), ("inquiry", 1)]
    assert [(r.code, r.count) for r in issues.tags] == [("late", 7)]

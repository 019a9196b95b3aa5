"""A stored compliance statement, ready to show: its parts under each agreement version with
their dates in the statement's zone, every result, and the revisions of its period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from pactline.metrics.dashboards.figures import ResultRow, result_row
from pactline.metrics.dashboards.local_time import Stamp, stamp
from pactline.metrics.models import Statement
from pactline.tenancy.models import Client


@dataclass(frozen=True)
class StatementSegment:
    version_number: int
    start: Stamp
    end: Stamp
    rows: tuple[ResultRow, ...]


@dataclass(frozen=True)
class StatementView:
    statement: Statement
    zone: ZoneInfo
    issued: Stamp
    segments: tuple[StatementSegment, ...]
    revisions: tuple[Statement, ...]
    latest: Statement

    @property
    def split(self) -> bool:
        return len(self.segments) > 1

    @property
    def is_latest(self) -> bool:
        return self.latest.pk == self.statement.pk


def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # pragma: no cover - statements store IANA names
        return ZoneInfo("UTC")


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def statement_revisions(statement: Statement) -> list[Statement]:
    """Every revision of the statement's period, first to last."""
    return list(
        Statement.objects.filter(
            client_id=statement.client_id,
            frequency=statement.frequency,
            period_start=statement.period_start,
        ).order_by("revision")
    )


def statement_view(statement: Statement) -> StatementView:
    zone = _zone_named(statement.timezone)
    segments = []
    for segment in statement.content.get("segments", []):
        start, end = _instant(segment.get("from", "")), _instant(segment.get("to", ""))
        segments.append(
            StatementSegment(
                version_number=int(segment.get("agreement_version") or 0),
                start=stamp(start, zone) if start else Stamp("", "", "", zone.key),
                end=stamp(end, zone) if end else Stamp("", "", "", zone.key),
                rows=tuple(result_row(result) for result in segment.get("results", [])),
            )
        )
    revisions = statement_revisions(statement)
    return StatementView(
        statement=statement,
        zone=zone,
        issued=stamp(statement.issued_at, zone),
        segments=tuple(segments),
        revisions=tuple(revisions),
        latest=revisions[-1] if revisions else statement,
    )


def statement_list(
    *, clients: QuerySet[Client], client: Client | None = None
) -> QuerySet[Statement]:
    """Statements of `clients` (already scoped to the actor), newest period first."""
    rows = Statement.objects.select_related("client").filter(client__in=clients)
    if client is not None:
        rows = rows.filter(client=client)
    return rows.order_by("-period_start", "frequency", "-revision")

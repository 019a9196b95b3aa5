"""What the console's lists show: case rows with their nearest deadline, queue rows, filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import QueryDict

from pactline.agreements.presentation.labels import CHANNELS, label
from pactline.cases.models import CLOSED_STATUSES, Case, CaseStatus, Channel
from pactline.cases.presentation import Stamp, When, case_zone, priority_label, stamp, when
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.web.console.selectors import QueueRow, Show

OPEN_STATUSES = [status for status in CaseStatus if status not in CLOSED_STATUSES]


@dataclass(frozen=True)
class CaseRow:
    case: Case
    priority: str
    due: When | None  # the nearest deadline of a counting clock, if any
    overdue: bool
    mine: bool
    can_take: bool


def case_rows(
    cases: Iterable[Case],
    *,
    actor: Actor,
    takeable: Sequence[int],
    now: datetime,
    viewer_zone: ZoneInfo,
) -> list[CaseRow]:
    rows = []
    for case in cases:
        due: datetime | None = getattr(case, "next_due", None)
        rows.append(
            CaseRow(
                case=case,
                priority=priority_label(case.priority),
                due=when(due, case_zone(case), viewer_zone) if due is not None else None,
                overdue=due is not None and due <= now,
                mine=actor.user_id is not None and case.assignee_id == actor.user_id,
                can_take=case.assignee_id is None and case.client_id in takeable,
            )
        )
    return rows


@dataclass(frozen=True)
class QueueView:
    row: QueueRow
    channel_label: str
    oldest_waiting: Stamp | None
    oldest_waiting_iso: str
    query: str  # the filtered list of this queue


def queue_views(rows: Iterable[QueueRow], *, viewer_zone: ZoneInfo) -> list[QueueView]:
    views = []
    for row in rows:
        query = urlencode({"client": row.client.code, "queue": row.queue, "channel": row.channel})
        waiting = row.oldest_waiting
        views.append(
            QueueView(
                row=row,
                channel_label=label(CHANNELS, row.channel),
                oldest_waiting=stamp(waiting, viewer_zone) if waiting else None,
                oldest_waiting_iso=waiting.isoformat() if waiting else "",
                query=query,
            )
        )
    return views


@dataclass(frozen=True)
class QueueFilters:
    """My queue's filters, as given (unknown values are dropped rather than refused)."""

    client: Client | None = None
    channel: str = ""
    status: str = ""

    @property
    def query(self) -> str:
        return urlencode(
            {
                key: value
                for key, value in (
                    ("client", self.client.code if self.client else ""),
                    ("channel", self.channel),
                    ("status", self.status),
                )
                if value
            }
        )


def queue_filters(data: QueryDict, clients: Sequence[Client]) -> QueueFilters:
    code = str(data.get("client", ""))
    channel = str(data.get("channel", ""))
    status = str(data.get("status", ""))
    return QueueFilters(
        client=next((client for client in clients if client.code == code), None),
        channel=channel if channel in Channel.values else "",
        status=status if status in OPEN_STATUSES else "",
    )


def channel_label(code: str) -> str:
    return label(CHANNELS, code) if code in Channel.values else ""


def show_of(value: str) -> Show:
    try:
        return Show(value)
    except ValueError:
        return Show.ALL

"""What a section's presentation draws with: the report's content, its zone, its charts and
the labels of its buckets, in the active language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import ModuleType
from zoneinfo import ZoneInfo

from pactline.reports.content import ReportContent
from pactline.reports.formatting import Chart


def charts() -> ModuleType:
    """The charts module, imported when a chart is drawn: matplotlib takes seconds to load,
    and every management command (the SMTP listener, the clock loop) loads the URL conf."""
    from pactline.reports import charts as module

    return module


class Presenter:
    def __init__(
        self, content: ReportContent, base_url: str, with_charts: bool, case_links: bool = True
    ) -> None:
        self.content = content
        self.base_url = base_url
        self.with_charts = with_charts
        self.case_links = case_links  # False for a reader who may not open the cases
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

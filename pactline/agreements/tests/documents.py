"""Agreement documents for tests: the shipped examples, re-addressed or amended."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

from pactline.core.agreement import agreement_to_data, parse_agreement

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "agreements"


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


def example_data(name: str = "general-outsourcing") -> dict[str, Any]:
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    return agreement_to_data(parse_agreement(text))


def amendment_date(notice_days: int = 30, *, after: datetime | None = None) -> str:
    """An effective date two days past the notice date of a change proposed at `after`
    (default now), whatever day the suite runs."""
    start = (after or datetime.now(UTC)).date()
    return (start + timedelta(days=notice_days + 2)).isoformat()


def document_for(
    client_code: str,
    *,
    name: str = "general-outsourcing",
    effective_from: str | None = None,
    notice_days: int | None = None,
    title: str | None = None,
    change_control: dict[str, Any] | None = None,
) -> str:
    """An example as JSON text, addressed to `client_code`, optionally amended."""
    data = example_data(name)
    data["parties"]["client"]["code"] = client_code
    if effective_from is not None:
        data["effective_from"] = effective_from
        end = data["term"].get("end")
        if end is not None and date.fromisoformat(str(end)) <= date.fromisoformat(effective_from):
            later = date.fromisoformat(effective_from) + timedelta(days=365)
            data["term"]["end"] = later.isoformat()
    if notice_days is not None:
        data.setdefault("change_control", {})["notice_days"] = notice_days
    if title is not None:
        data["title"] = title
    if change_control is not None:
        data.setdefault("change_control", {}).update(change_control)
    return json.dumps(data, default=str, ensure_ascii=False, indent=2)

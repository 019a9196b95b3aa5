"""What a report says, as data: the stored, hashed content every format is rendered from.

The content holds numbers, stable codes and the KPI definitions as English templates with
their parameters, never translated words: the renderers translate into the report's language,
so the same figures give the same hash whatever the language, and a stored report can be shown
again exactly as it was generated. Decimals are kept unrounded (JSON strings).

Each section's content is its registered section's model (`pactline.reports.sections`), kept
under its key in `sections`, in the registry's order. Content stored under an older schema is
converted on read (`content_upgrade`); its hash is over the content as it was stored."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pactline.core.kpi import KpiValue

CONTENT_SCHEMA = 2  # 1: a field per section; 2: `sections`, keyed by the registered sections


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Kpi(Model):
    """A KPI value with its ratio and its definition (an ``N_``-marked English template)."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unit: str
    definition: str
    params: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, value: KpiValue) -> Kpi:
        return cls(
            value=value.value,
            numerator=value.numerator,
            denominator=value.denominator,
            unit=value.unit,
            definition=value.definition,
            params=dict(value.params),
        )


class TrendPoint(Model):
    at: datetime  # start of the bucket (UTC)
    value: Decimal | None


# --- The report -----------------------------------------------------------------------------


class ReportContent(Model):
    schema_version: int = CONTENT_SCHEMA
    client_code: str
    client_name: str
    report_name: str
    frequency: str
    language: str  # the agreement's language code: "en" or "zh-Hans"
    timezone: str
    period_start: date  # first local day
    period_end: date  # last local day
    previous_start: date
    previous_end: date
    start: datetime  # [start, end) in UTC
    end: datetime
    agreement: str
    versions: list[int]
    contents: list[str]  # as the agreement lists them
    channels: list[str]  # the channels reported on (the report's, else all the agreement's)
    sections: dict[str, Any] = Field(default_factory=dict)  # key -> its section's model
    unavailable: list[str] = Field(default_factory=list)  # contents not measured yet

    @field_validator("sections")
    @classmethod
    def _sections(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Each section validated by its registered model; an unknown key is refused."""
        from pactline.reports.sections import registered_section

        found = {}
        for key, content in value.items():
            section = registered_section(key)
            if section is None:
                raise ValueError(f"no report section '{key}' is registered")
            found[key] = section.model.model_validate(content)
        return found

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal content, equal digest."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


# --- Stored content of earlier schemas ------------------------------------------------------

# Schema 1 kept each section in a field of its own, in this order; four of them as a bare list
# of rows, which schema 2 keeps as {"rows": [...]}.
V1_SECTIONS = (
    "volume",
    "response_times",
    "resolution_rate",
    "service_levels",
    "abandon_rate",
    "aht",
    "fcr",
    "csat",
    "nps",
    "escalations",
    "common_issues",
    "backlog",
)
V1_ROW_LISTS = ("response_times", "abandon_rate", "fcr", "nps")


def content_upgrade(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored content of any schema in the current schema's shape (a new dict)."""
    if stored.get("schema_version", 1) >= CONTENT_SCHEMA:
        return stored
    upgraded: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    for key, value in stored.items():
        if key not in V1_SECTIONS:
            upgraded[key] = value
        elif value is not None:
            sections[key] = {"rows": value} if key in V1_ROW_LISTS else value
    return upgraded | {"schema_version": CONTENT_SCHEMA, "sections": sections}


def stored_digest(stored: dict[str, Any]) -> str:
    """SHA-256 of stored content as it was hashed when generated, whatever its schema: the
    stored JSON keeps the order and the values `ReportContent.digest` serialized."""
    canonical = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

"""Which report, over which period: the report as the agreement defines it, and its period of
local days in the client's time zone (a day, a Monday-to-Sunday week, a month, a quarter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.common.errors import FieldError, NotFound, ValidationFailed
from pactline.core.agreement import AgreementDocument
from pactline.core.agreement.operations import Report
from pactline.metrics.periods import period_bounds, period_of
from pactline.metrics.timezones import client_zone
from pactline.tenancy.models import Client


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    start: datetime  # UTC
    end: datetime
    zone: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class ReportSpec:
    """A report as the agreement version in force at the period's end defines it."""

    version: AgreementVersion
    terms: AgreementDocument
    report: Report

    @property
    def language(self) -> str:
        return self.report.language or self.terms.language

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.report.channels) or tuple(self.terms.channels)


def report_period(client: Client, frequency: str, first: date) -> Period:
    """The period of `frequency` that starts on local day `first`; an error otherwise."""
    start_day, last = period_of(frequency, first)
    if start_day != first:
        raise ValidationFailed(
            [FieldError("period_start", f"{first} does not start a {frequency} period")]
        )
    zone = client_zone(client)
    start, end = period_bounds(first, last, zone)
    return Period(first, last, start, end, zone)


def report_spec(client: Client, report_name: str, at: datetime) -> ReportSpec:
    """The report named `report_name` of the agreement version in force at `at`."""
    version = agreement_version_in_force(client, at)
    if version is None:
        raise NotFound
    document = version.terms
    for report in document.reporting.reports:
        if report.name == report_name:
            return ReportSpec(version, document, report)
    raise NotFound

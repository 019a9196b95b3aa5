"""Demo measurements: the contacts rolled up, last month's compliance statements, the reports.

In production `pactline serve` runs the metrics consumer and the report schedule; the demo
does the same work once so that each client opens on a measured month."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.metrics.consumer import consume_all
from pactline.metrics.models import Frequency
from pactline.metrics.periods import period_of
from pactline.metrics.statements import statement_issue
from pactline.metrics.timezones import client_zone
from pactline.reports.services import report_generate
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client


def demo_measurements_load(*, actor: Actor, clients: list[Client], now: datetime) -> list[str]:
    """Roll the contacts up and issue last month's compliance statements."""
    read = consume_all(client_ids=[client.pk for client in clients])
    lines = [_("metrics: %(count)d contact(s) rolled up") % {"count": read}]
    for client in clients:
        version = agreement_version_in_force(client, now)
        if version is None:
            continue
        today = now.astimezone(client_zone(client)).date()
        last_month = period_of(Frequency.MONTHLY, today)[0] - timedelta(days=1)
        statement, _created = statement_issue(
            actor=actor, client=client, day=last_month, frequency=Frequency.MONTHLY, now=now
        )
        lines.append(
            _("%(client)s: statement %(first)s–%(last)s: %(met)d met, %(missed)d missed")
            % {
                "client": client.name,
                "first": statement.period_start,
                "last": statement.period_end,
                "met": statement.met,
                "missed": statement.missed,
            }
        )
    return lines


def demo_reports_load(*, actor: Actor, clients: list[Client], now: datetime) -> list[str]:
    """The reports of each client's last full period (after billing: they show its credits)."""
    lines: list[str] = []
    for client in clients:
        version = agreement_version_in_force(client, now)
        if version is None:
            continue
        today = now.astimezone(client_zone(client)).date()
        for spec in version.terms.reporting.reports:
            first, _last = period_of(spec.frequency, today)
            previous = period_of(spec.frequency, first - timedelta(days=1))[0]
            generated = report_generate(
                actor=actor, client=client, report_name=spec.name, period_start=previous, now=now
            )
            lines.append(
                _("%(client)s: report “%(name)s” for %(first)s")
                % {"client": client.name, "name": spec.name, "first": previous}
                + ("" if generated.created else " " + _("(unchanged)"))
            )
    return lines

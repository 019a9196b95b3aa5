"""Reads for the dashboards and statement pages, shaped for the templates.

- **Wallboard** (supervisors): calls waiting now and the longest wait, from live calls that
  are in progress and not answered; agents available, from each agent's latest state change;
  today's service level and abandoned calls, from the rollups of the client's local day; and
  the SLA clocks at risk.
- **Client dashboard** (the client's portal): today and this month to date, every service
  level of the agreement against its target with its definition, volumes per channel, today
  hour by hour, and the latest compliance statements.
- **Statements**: each result of a stored statement, ready to show.

Every instant is shown in the client's zone (`timezones.client_zone`: its agreement's) with the
zone's abbreviation; local days and hours are unions of the 15-minute UTC intervals of the
rollups (every zone's offset is a multiple of 15 minutes), so a day is 92, 96 or 100
intervals long across DST changes and Kathmandu's day starts at 18:15 UTC.

Callers authorize first (`access.py`); nothing here reads memberships. Modules: `local_time`,
`figures`, `wallboard`, `portal`, `statements`.
"""

from __future__ import annotations

from pactline.metrics.dashboards.figures import (
    VERDICTS,
    ResultRow,
    clock_text,
    definition_text,
    live_row,
    result_row,
    shown_value,
    with_unit,
)
from pactline.metrics.dashboards.local_time import (
    LocalHour,
    LocalPeriod,
    Stamp,
    day_intervals,
    day_window,
    local_hours,
    local_today,
    month_to_date_window,
    stamp,
    today_window,
)
from pactline.metrics.dashboards.portal import (
    ClientDashboard,
    client_dashboard,
    hours_today,
    latest_statements,
)
from pactline.metrics.dashboards.statements import (
    StatementView,
    statement_list,
    statement_revisions,
    statement_view,
)
from pactline.metrics.dashboards.wallboard import (
    Wallboard,
    agents_now,
    calls_waiting,
    service_level_today,
    wallboard,
)

__all__ = [
    "VERDICTS",
    "ClientDashboard",
    "LocalHour",
    "LocalPeriod",
    "ResultRow",
    "Stamp",
    "StatementView",
    "Wallboard",
    "agents_now",
    "calls_waiting",
    "client_dashboard",
    "clock_text",
    "day_intervals",
    "day_window",
    "definition_text",
    "hours_today",
    "latest_statements",
    "live_row",
    "local_hours",
    "local_today",
    "month_to_date_window",
    "result_row",
    "service_level_today",
    "shown_value",
    "stamp",
    "statement_list",
    "statement_revisions",
    "statement_view",
    "today_window",
    "wallboard",
    "with_unit",
]

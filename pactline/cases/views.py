"""Pages: the case list, a case with its SLA timeline and actions, and the clocks at risk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pactline.agreements.presentation.labels import CASE_CATEGORIES, label
from pactline.agreements.terms import priorities
from pactline.cases.access import access_case, require_at_risk
from pactline.cases.models import CLOSED_STATUSES, Case, CaseStatus
from pactline.cases.presentation import (
    TZ_COOKIE,
    at_risk_rows,
    case_zone,
    clock_view,
    priority_label,
    stamp,
    timeline_rows,
    when,
    zone_named,
)
from pactline.cases.replies import case_reply
from pactline.cases.selectors import (
    case_clients,
    case_clocks,
    case_list,
    case_related_ids,
    case_timeline,
    clocks_at_risk,
)
from pactline.cases.services import (
    case_reopen,
    case_resolve,
    case_set_priority,
    case_set_status,
)
from pactline.common.errors import Conflict, ValidationFailed
from pactline.common.http import domain_errors
from pactline.tenancy.access import Actor, Permission, access_client, has_permission
from pactline.tenancy.http import request_actor

PAGE_SIZE = 50
AT_RISK_HOURS = (1, 72)
AT_RISK_DEFAULT = 4
OPEN_STATUSES = [status for status in CaseStatus if status not in CLOSED_STATUSES]


def viewer_zone(request: HttpRequest) -> ZoneInfo:
    """The viewer's zone from the `tz` cookie that clocks.js sets (UTC until it has)."""
    return zone_named(unquote(request.COOKIES.get(TZ_COOKIE, "")))


@login_required
@domain_errors
def case_list_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    code = request.GET.get("client") or ""
    client = access_client(actor, code, permission=Permission.CASE_VIEW) if code else None
    status = request.GET.get("status") or ""
    if status not in CaseStatus.values:
        status = ""  # an unknown filter shows everything rather than an error page
    cases = case_list(actor=actor, client=client, status=status or None)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = viewer_zone(request)
    rows = [
        {
            "case": case,
            "priority": priority_label(case.priority),
            "next_due": stamp(due, viewer) if (due := getattr(case, "next_due", None)) else None,
        }
        for case in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "clients": case_clients(actor).order_by("name"),
        "client": client,
        "status": status,
        "statuses": CaseStatus.choices,
        "viewer_zone": viewer.key,
    }
    return render(request, "cases/list.html", context)


def _priorities(case: Case) -> list[tuple[str, str]]:
    codes = priorities(case.agreement_version.terms)
    return [(code, priority_label(code)) for code in codes]


@login_required
@domain_errors
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = request_actor(request)
    case = access_case(actor, case_id)
    now = timezone.now()
    viewer = viewer_zone(request)
    home = case_zone(case)
    items = case_timeline(actor=actor, case=case)
    entries = [item.entry for item in items if item.entry is not None]
    clocks = [
        clock_view(case, clock, entries, now=now, viewer_zone=viewer)
        for clock in case_clocks(case=case)
    ]
    context = {
        "case": case,
        "client": case.client,
        "version": case.agreement_version,
        "opened": when(case.opened_at, home, viewer),
        "resolved": when(case.resolved_at, home, viewer) if case.resolved_at else None,
        "viewer_zone": viewer.key,
        "priority": priority_label(case.priority),
        "category": label(CASE_CATEGORIES, case.category) if case.category else "",
        "case_tags": case.tags or [],
        "clocks": clocks,
        "timeline": timeline_rows(case, items, client_zone=home, viewer_zone=viewer),
        "related": case_related_ids(case),
        "can_work": has_permission(actor, Permission.CASE_WORK, case.client_id),
        "is_closed": case.status in CLOSED_STATUSES,
        # Escalating hands the case to a supervisor: the console's action, not a status.
        "statuses": [
            (s.value, s.label)
            for s in OPEN_STATUSES
            if s != CaseStatus.ESCALATED or case.status == CaseStatus.ESCALATED
        ],
        "priorities": _priorities(case),
    }
    return render(request, "cases/case.html", context)


def _reply(actor: Actor, case: Case, data: Any) -> str:
    """On the case's own channel: the message says whether it was sent, queued or only
    recorded (`case_reply`)."""
    body = str(data.get("body", ""))
    include_reply_to = data.get("include_reply_to") == "yes"
    return case_reply(actor=actor, case=case, body=body, include_reply_to=include_reply_to).message


def _status(actor: Actor, case: Case, data: Any) -> str:
    case = case_set_status(actor=actor, case=case, status=str(data.get("status", "")))
    return _("Status is now %(status)s.") % {"status": case.get_status_display()}


def _priority(actor: Actor, case: Case, data: Any) -> str:
    case = case_set_priority(actor=actor, case=case, priority=str(data.get("priority", "")))
    return _("Priority is now %(priority)s.") % {"priority": priority_label(case.priority)}


def _resolve(actor: Actor, case: Case, data: Any) -> str:
    case_resolve(actor=actor, case=case, first_contact=data.get("first_contact") == "yes")
    return _("Case resolved.")


def _reopen(actor: Actor, case: Case, data: Any) -> str:
    case_reopen(actor=actor, case=case)
    return _("Case reopened.")


ACTIONS: dict[str, Callable[[Actor, Case, Any], str]] = {
    "reply": _reply,
    "status": _status,
    "priority": _priority,
    "resolve": _resolve,
    "reopen": _reopen,
}


@login_required
@require_POST
@domain_errors
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Reply, change status or priority, resolve or reopen; then back to the case."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    actor = request_actor(request)
    case = access_case(actor, case_id, for_write=True)
    try:
        done = handler(actor, case, request.POST)
    except ValidationFailed as failed:
        reasons = "; ".join(error.message for error in failed.errors)
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": reasons})
    except Conflict as conflict:
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": conflict})
    else:
        messages.success(request, done)
    return redirect("cases:case", case_id=case.pk)


_BAD_HOURS = gettext_lazy("Hours must be a whole number from %(low)s to %(high)s.")


def _hours(request: HttpRequest) -> int | None:
    raw = request.GET.get("hours", "").strip() or str(AT_RISK_DEFAULT)
    try:
        hours = int(raw)
    except ValueError:
        return None
    low, high = AT_RISK_HOURS
    return hours if low <= hours <= high else None


def _at_risk(request: HttpRequest, template: str) -> HttpResponse:
    actor = request_actor(request)
    require_at_risk(actor)
    hours = _hours(request)
    viewer = viewer_zone(request)
    context: dict[str, Any] = {
        "hours": hours,
        "hour_choices": (1, 2, 4, 8, 12, 24, 48, 72),
        "viewer_zone": viewer.key,
        "rows": [],
    }
    if hours is None:
        low, high = AT_RISK_HOURS
        context["error"] = _BAD_HOURS % {"low": low, "high": high}
        context["hours"] = request.GET.get("hours", "")
        return render(request, template, context, status=400)
    now = timezone.now()
    clocks = clocks_at_risk(actor=actor, within=timedelta(hours=hours), now=now)
    context["rows"] = at_risk_rows(clocks, now=now, viewer_zone=viewer)
    context["now"] = now
    return render(request, template, context)


@login_required
@domain_errors
def at_risk_page(request: HttpRequest) -> HttpResponse:
    return _at_risk(request, "cases/at_risk.html")


@login_required
@domain_errors
def at_risk_rows_partial(request: HttpRequest) -> HttpResponse:
    """The table alone, which the page re-fetches with htmx every 15 s."""
    return _at_risk(request, "cases/at_risk.html#rows")

"""Pages: the supervisor wallboard (one client, or every client the supervisor watches), the
client dashboard, and compliance statements (list, detail, issue, reissue).

Thin: `access.py` authorizes, `dashboards.py` reads, `statements.py` writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pactline.common.errors import Conflict, NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.metrics import dashboards
from pactline.metrics.access import (
    access_dashboard,
    access_statement,
    access_statement_issue,
    access_wallboard,
    statement_clients,
    wallboard_clients,
)
from pactline.metrics.forms import StatementIssueForm, StatementReissueForm, default_period_day
from pactline.metrics.statements import statement_issue, statement_reissue
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Permission, has_permission
from pactline.tenancy.http import request_actor

PAGE_SIZE = 50


# --- Wallboard -------------------------------------------------------------------------------


def _wallboard(request: HttpRequest, code: str, template: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_wallboard(actor, code)
    board = dashboards.wallboard(actor=actor, client=client, now=timezone.now())
    return render(request, template, {"board": board, "client": client})


@login_required
@require_GET
@domain_errors
def wallboard_page(request: HttpRequest, code: str) -> HttpResponse:
    return _wallboard(request, code, "metrics/wallboard.html")


@login_required
@require_GET
@domain_errors
def wallboard_tiles(request: HttpRequest, code: str) -> HttpResponse:
    """The tiles alone, which the page re-fetches with htmx every 5 s."""
    return _wallboard(request, code, "metrics/wallboard.html#tiles")


def _overview(request: HttpRequest, template: str) -> HttpResponse:
    actor = request_actor(request)
    clients = wallboard_clients(actor)
    if not clients:
        raise NotFound
    now = timezone.now()
    boards = [dashboards.wallboard(actor=actor, client=client, now=now) for client in clients]
    return render(request, template, {"boards": boards})


@login_required
@require_GET
@domain_errors
def wallboard_overview(request: HttpRequest) -> HttpResponse:
    return _overview(request, "metrics/wallboard_overview.html")


@login_required
@require_GET
@domain_errors
def wallboard_overview_rows(request: HttpRequest) -> HttpResponse:
    return _overview(request, "metrics/wallboard_overview.html#rows")


# --- Client dashboard ------------------------------------------------------------------------


def _dashboard(request: HttpRequest, code: str, template: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_dashboard(actor, code)
    context = {
        "board": dashboards.client_dashboard(actor=actor, client=client, now=timezone.now()),
        "client": client,
        "can_issue": has_permission(actor, Permission.STATEMENT_ISSUE, client.id),
    }
    return render(request, template, context)


@login_required
@require_GET
@domain_errors
def dashboard_page(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, code, "metrics/dashboard.html")


@login_required
@require_GET
@domain_errors
def dashboard_today(request: HttpRequest, code: str) -> HttpResponse:
    """Today's section alone, re-fetched with htmx every minute."""
    return _dashboard(request, code, "metrics/_portal.html#today")


# --- Statements ------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def statement_list_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_dashboard(actor, code)
    rows = dashboards.statement_list(clients=statement_clients(actor), client=client)
    context = {
        "client": client,
        "zone": client_zone(client),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_issue": has_permission(actor, Permission.STATEMENT_ISSUE, client.id),
    }
    return render(request, "metrics/statement_list.html", context)


@login_required
@require_GET
@domain_errors
def statement_page(request: HttpRequest, statement_id: int) -> HttpResponse:
    actor = request_actor(request)
    statement = access_statement(actor, statement_id)
    context = {
        "client": statement.client,
        "view": dashboards.statement_view(statement),
        "can_issue": has_permission(actor, Permission.STATEMENT_ISSUE, statement.client_id),
    }
    return render(request, "metrics/statement.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def statement_issue_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_statement_issue(actor, code)
    now = timezone.now()
    zone = client_zone(client, now)
    initial = {"period": default_period_day(dashboards.local_today(zone, now))}
    form = StatementIssueForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                statement, created = statement_issue(
                    actor=actor,
                    client=client,
                    day=form.cleaned_data["period"],
                    frequency=form.cleaned_data["frequency"],
                    now=now,
                )
            except ValidationFailed as failed:
                form.add_service_errors(failed)
            else:
                if created:
                    messages.success(request, _("The statement is issued."))
                else:
                    messages.info(
                        request,
                        _("This period's statement was already issued; here it is."),
                    )
                return redirect("metrics:statement", statement_id=statement.pk)
    context: dict[str, Any] = {"client": client, "form": form, "zone": zone}
    return render(request, "metrics/statement_issue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def statement_reissue_page(request: HttpRequest, statement_id: int) -> HttpResponse:
    actor = request_actor(request)
    statement = access_statement(actor, statement_id, for_write=True)
    form = StatementReissueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                replacement = statement_reissue(
                    actor=actor, statement=statement, reason=form.cleaned_data["reason"]
                )
            except ValidationFailed as failed:
                form.add_service_errors(failed)
            except Conflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            else:
                messages.success(
                    request,
                    _("Revision %(revision)s is issued.") % {"revision": replacement.revision},
                )
                return redirect("metrics:statement", statement_id=replacement.pk)
    context = {
        "client": statement.client,
        "statement": statement,
        "view": dashboards.statement_view(statement),
        "form": form,
    }
    return render(request, "metrics/statement_reissue.html", context, status=status)

"""Console pages: my queue, the console case view, and the supervisors' queue view.

Thin: access (`pactline.cases.access`, `pactline.web.console.access`) and selectors to read,
the case and channel services to write (`pactline.web.console.actions`). htmx requests get the
partial they refresh; other requests get the page or a redirect."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactline.agreements.presentation.labels import CASE_CATEGORIES, label
from pactline.agreements.terms import priorities
from pactline.cases.access import access_case
from pactline.cases.models import CLOSED_STATUSES, Case, CaseStatus, Channel
from pactline.cases.presentation import (
    case_zone,
    clock_view,
    priority_label,
    timeline_rows,
    when,
)
from pactline.cases.replies import REPLY_MAX
from pactline.cases.routing import Strategy
from pactline.cases.selectors import case_clocks, case_related_ids, case_timeline
from pactline.cases.tags import case_categories, case_tag_add, case_tag_retire, client_tags
from pactline.cases.views import viewer_zone
from pactline.common.errors import Conflict, NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.tenancy.access import Actor, Permission, access_client
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client
from pactline.web.console.access import (
    agent_role_clients,
    can_watch_queues,
    require_console,
    require_queues,
)
from pactline.web.console.actions import ACTIONS
from pactline.web.console.presentation import (
    OPEN_STATUSES,
    case_rows,
    channel_label,
    queue_filters,
    queue_views,
    show_of,
)
from pactline.web.console.selectors import (
    Show,
    assignable_agents,
    my_queue,
    queue_cases,
    queue_summary,
    reply_route,
    takeable_client_ids,
)

POLL_SECONDS = 15
CASE_POLL_SECONDS = 30
PAGE_SIZE = 50
CHANGED_EVENT = "console-case-changed"
DRAFT_FIELDS = {"reply": "body", "note": "body", "escalate": "reason"}
# Actions whose bad input answers 400 (the panel, or the page, with the reason in it); the
# others answer a refusal like a success, with the message.
BAD_INPUT_400 = frozenset({"classify"})


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- My queue ----------------------------------------------------------------------------------


def _queue_context(request: HttpRequest, actor: Actor, data: QueryDict) -> dict[str, Any]:
    clients = require_console(actor)
    now = timezone.now()
    filters = queue_filters(data, clients)
    takeable = takeable_client_ids(actor=actor, clients=agent_role_clients(actor, clients))
    cases = my_queue(
        actor=actor,
        clients=clients,
        takeable=takeable,
        client_id=filters.client.id if filters.client else None,
        channel=filters.channel,
        status=filters.status,
    )
    page = Paginator(cases, PAGE_SIZE).get_page(data.get("page"))
    viewer = viewer_zone(request)
    return {
        "page": page,
        "rows": case_rows(
            page.object_list, actor=actor, takeable=takeable, now=now, viewer_zone=viewer
        ),
        "filters": filters,
        "clients": clients,
        "channels": Channel.choices,
        "statuses": [(status.value, status.label) for status in OPEN_STATUSES],
        "takes_work": bool(takeable),
        "can_watch_queues": can_watch_queues(actor),
        "poll_seconds": POLL_SECONDS,
        "viewer_zone": viewer.key,
    }


@login_required
@require_GET
@domain_errors
def queue_page(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request, request_actor(request), request.GET)
    return render(request, "web/console/queue.html", context)


@login_required
@require_GET
@domain_errors
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The table alone, which the page re-fetches with htmx every 15 s."""
    context = _queue_context(request, request_actor(request), request.GET)
    return render(request, "web/console/queue.html#rows", context)


# --- The console case view -----------------------------------------------------------------------


def _priorities(case: Case) -> list[tuple[str, str]]:
    codes = priorities(case.agreement_version.terms)
    return [(code, priority_label(code)) for code in codes]


def _classification(case: Case, now: datetime) -> dict[str, Any]:
    """The category choices (the agreement's, with their words) and the tags an agent may
    tick: the client's active ones and any the case still carries."""
    codes = list(case_categories(case, now))
    if case.category and case.category not in codes:
        codes.append(case.category)
    carried = set(case.tags or ())
    names = [tag.name for tag in client_tags(case.client_id, active_only=True)]
    names += sorted(carried.difference(names))
    return {
        "categories": [(code, label(CASE_CATEGORIES, code)) for code in codes],
        "tag_choices": [(name, name in carried) for name in names],
    }


def _panel_context(actor: Actor, case: Case, now: datetime) -> dict[str, Any]:
    """What the work panel needs (the part htmx posts re-render)."""
    agents = assignable_agents(case=case, now=now)
    return {
        "case": case,
        "route": reply_route(case),
        "agents": agents,
        "me_eligible": any(agent.pk == actor.user_id for agent in agents),
        "mine": actor.user_id is not None and case.assignee_id == actor.user_id,
        "is_closed": case.status in CLOSED_STATUSES,
        "is_escalated": case.status == CaseStatus.ESCALATED,
        # Escalating is its own action (it also hands the case to a supervisor).
        "statuses": [
            (status.value, status.label)
            for status in OPEN_STATUSES
            if status != CaseStatus.ESCALATED or case.status == CaseStatus.ESCALATED
        ],
        "priorities": _priorities(case),
        **_classification(case, now),
        "strategies": [
            (Strategy.ROUND_ROBIN.value, _("Round robin")),
            (Strategy.LEAST_BUSY.value, _("Least busy")),
        ],
        "reply_max": REPLY_MAX,
        "changed_event": CHANGED_EVENT,
        "case_poll_seconds": CASE_POLL_SECONDS,
    }


def _case_context(request: HttpRequest, actor: Actor, case: Case) -> dict[str, Any]:
    """The existing case page's context (header, SLA timeline, timeline) plus the panel.
    `can_work` is False so the case page's own action forms stay hidden: the console's panel
    replaces them and answers on the case's channel."""
    now = timezone.now()
    viewer = viewer_zone(request)
    home = case_zone(case)
    items = case_timeline(actor=actor, case=case)
    entries = [item.entry for item in items if item.entry is not None]
    clocks = [
        clock_view(case, clock, entries, now=now, viewer_zone=viewer)
        for clock in case_clocks(case=case)
    ]
    return _panel_context(actor, case, now) | {
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
        "can_work": False,
    }


def _console_case(actor: Actor, case_id: int) -> Case:
    """The case, for someone who works its client's cases (others: 404 or 403)."""
    return access_case(actor, case_id, for_write=True)


@login_required
@require_GET
@domain_errors
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = request_actor(request)
    case = _console_case(actor, case_id)
    return render(request, "web/console/case.html", _case_context(request, actor, case))


@login_required
@require_POST
@domain_errors
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Take, reply, note, status, priority, escalate, assign, route, resolve or reopen.

    A refusal (bad input, a state that does not allow it, an agent who may not take the
    client's work) is a message and changes nothing. htmx gets the work panel back (or my
    queue's table, for a take from the queue) and an event that refreshes the case view."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    actor = request_actor(request)
    case = _console_case(actor, case_id)
    changed = refused = False
    try:
        done = handler(request, actor, case)
    except ValidationFailed as failed:
        refused = action in BAD_INPUT_400
        reasons = "; ".join(error.message for error in failed.errors)
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": reasons})
    except Conflict as conflict:
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": conflict})
    else:
        changed = True
        messages.success(request, done)
    from_queue = request.POST.get("from") == "queue"
    if not _is_htmx(request):
        if from_queue and not changed:
            return redirect("console:queue")
        if refused:
            case = _console_case(actor, case_id)
            context = _case_context(request, actor, case)
            return render(request, "web/console/case.html", context, status=400)
        return redirect("console:case", case_id=case.pk)
    if from_queue:
        context = _queue_context(request, actor, request.POST) | {"inline_messages": True}
        return render(request, "web/console/queue.html#rows", context)
    case = _console_case(actor, case_id)
    context = _panel_context(actor, case, timezone.now()) | {"inline_messages": True}
    if not changed and action in DRAFT_FIELDS:  # keep what was typed when it was refused
        context["draft"] = {action: request.POST.get(DRAFT_FIELDS[action], "")}
    response = render(
        request, "web/console/case.html#work", context, status=400 if refused else 200
    )
    if changed:
        response["HX-Trigger"] = CHANGED_EVENT
    return response


# --- The supervisors' queue view -----------------------------------------------------------------


def _queues_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    clients = require_queues(actor)
    viewer = viewer_zone(request)
    rows = queue_summary(clients=clients, now=timezone.now())
    return {
        "rows": queue_views(rows, viewer_zone=viewer),
        "poll_seconds": POLL_SECONDS,
        "viewer_zone": viewer.key,
    }


@login_required
@require_GET
@domain_errors
def queues_page(request: HttpRequest) -> HttpResponse:
    context = _queues_context(request, request_actor(request))
    return render(request, "web/console/queues.html", context)


@login_required
@require_GET
@domain_errors
def queues_rows(request: HttpRequest) -> HttpResponse:
    context = _queues_context(request, request_actor(request))
    return render(request, "web/console/queues.html#rows", context)


def _queue_client(clients: list[Client], code: str) -> Client:
    client = next((client for client in clients if client.code == code), None)
    if client is None:
        raise NotFound  # missing, or not a client whose queues the actor watches
    return client


def _queue_cases_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    clients = require_queues(actor)
    client = _queue_client(clients, str(request.GET.get("client", "")))
    queue = str(request.GET.get("queue", ""))
    channel = str(request.GET.get("channel", ""))
    channel = channel if channel in Channel.values else ""
    show = show_of(str(request.GET.get("show", "")))
    now = timezone.now()
    base_query = urlencode(
        {"client": client.code, "queue": queue, "channel": channel, "show": show.value}
    )
    cases = queue_cases(client=client, queue=queue, channel=channel, show=show, now=now)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = viewer_zone(request)
    return {
        "client": client,
        "queue": queue,
        "channel": channel,
        "channel_label": channel_label(channel),
        "show": show.value,
        "shows": [
            (Show.ALL.value, _("All open")),
            (Show.UNASSIGNED.value, _("Unassigned")),
            (Show.BREACHED.value, _("Breached")),
            (Show.AT_RISK.value, _("At risk in the next hour")),
        ],
        "page": page,
        "rows": case_rows(page.object_list, actor=actor, takeable=(), now=now, viewer_zone=viewer),
        "base_query": base_query,
        "query": f"{base_query}&page={page.number}",
        "poll_seconds": POLL_SECONDS,
        "viewer_zone": viewer.key,
    }


@login_required
@require_GET
@domain_errors
def queue_cases_page(request: HttpRequest) -> HttpResponse:
    context = _queue_cases_context(request, request_actor(request))
    return render(request, "web/console/queue_cases.html", context)


@login_required
@require_GET
@domain_errors
def queue_cases_rows(request: HttpRequest) -> HttpResponse:
    context = _queue_cases_context(request, request_actor(request))
    return render(request, "web/console/queue_cases.html#rows", context)


# --- The client's case tags (supervisors) --------------------------------------------------------

TAGS_TEMPLATE = "web/console/tags.html"


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def client_tags_page(request: HttpRequest, code: str) -> HttpResponse:
    """The tags agents put on the client's cases: add one, retire one, bring one back."""
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.QUEUE_SUPERVISE)
    error = ""
    if request.method == "POST":
        name = str(request.POST.get("name", ""))
        try:
            if request.POST.get("do") == "retire":
                tag = case_tag_retire(actor=actor, client=client, name=name)
                messages.success(request, _("Tag %(name)s retired.") % {"name": tag.name})
            else:
                tag = case_tag_add(actor=actor, client=client, name=name)
                messages.success(request, _("Tag %(name)s is on the list.") % {"name": tag.name})
        except ValidationFailed as failed:
            error = "; ".join(failure.message for failure in failed.errors)
        else:
            return redirect("console:client-tags", code=client.code)
    context = {"client": client, "tags": client_tags(client.id), "error": error}
    return render(request, TAGS_TEMPLATE, context, status=400 if error else 200)

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pactline.common.http import domain_errors
from pactline.tenancy.access import Permission, has_permission, is_client_side, is_provider_admin
from pactline.tenancy.http import request_actor
from pactline.web import dashboard


@login_required
@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    """One start page whose sections depend on who is looking."""
    actor = request_actor(request)
    now = timezone.now()
    client_side = is_client_side(actor)
    summaries = dashboard.client_summaries(actor=actor, now=now)
    context = {
        "now": now,
        "role_labels": dashboard.role_labels(actor),
        "summaries": summaries,
        "can_accept": any(
            has_permission(actor, Permission.AGREEMENT_ACCEPT, summary.client.id)
            for summary in summaries
        ),
        "client_side": client_side,
        "provider_admin": is_provider_admin(actor),
        "awaiting": dashboard.versions_awaiting_acceptance(actor=actor) if client_side else [],
        "portals": dashboard.client_portals(actor=actor, now=now) if client_side else [],
        "in_progress": [] if client_side else dashboard.versions_in_progress(actor=actor),
        "events": dashboard.recent_events(actor=actor),
    }
    return render(request, "web/home.html", context)

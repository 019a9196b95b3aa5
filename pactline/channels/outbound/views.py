"""Outbound pages: the campaigns of my clients with their progress, one campaign with its call
list, the CSV upload, the "next call" panel (htmx) and the disposition form, and a client's
do-not-call list. Thin: forms check shapes, the services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pactline.cases.contacts import normalise_phone
from pactline.cases.presentation import TZ_COOKIE, When, when, zone_named
from pactline.channels.outbound.access import (
    access_call_list_entry,
    access_campaign,
    campaign_clients,
)
from pactline.channels.outbound.forms import (
    AttemptForm,
    CallListForm,
    CampaignForm,
    DoNotCallForm,
    add_service_errors,
)
from pactline.channels.outbound.models import Campaign, Disposition
from pactline.channels.outbound.selectors import (
    CallingWindow,
    calling_window,
    campaign_entries,
    campaign_list,
    campaign_with_progress,
    do_not_call_count,
)
from pactline.channels.outbound.services import (
    attempt_record,
    call_list_upload,
    campaign_create,
    do_not_call_add,
    next_call,
)
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.common.http import domain_errors
from pactline.tenancy.access import Actor, Permission, access_client, has_permission
from pactline.tenancy.http import request_actor

ENTRIES_PER_PAGE = 100


def _viewer_zone(request: HttpRequest) -> ZoneInfo:
    return zone_named(unquote(request.COOKIES.get(TZ_COOKIE, "")))


def _mask(phone: str) -> str:
    """A listed number shows its last four digits only; the full one is for the dialling agent."""
    return f"…{phone[-4:]}" if len(phone) > 4 else phone


def _outcome(code: str) -> str:
    return str(Disposition(code).label) if code in Disposition.values else code


# --- Campaigns -------------------------------------------------------------------------------


def _campaigns_context(
    request: HttpRequest, actor: Actor, form: CampaignForm | None = None
) -> dict[str, Any]:
    code = request.GET.get("client") or ""
    client = access_client(actor, code, permission=Permission.CASE_VIEW) if code else None
    writable = list(campaign_clients(actor, for_write=True).order_by("name"))
    choices = [(c.code, c.name) for c in writable]
    return {
        "rows": [
            {"campaign": c, "done": c.n_entries - c.n_pending}  # type: ignore[attr-defined]
            for c in campaign_list(actor=actor, client=client)
        ],
        "clients": campaign_clients(actor).order_by("name"),
        "client": client,
        "writable": writable,
        "form": form or (CampaignForm(clients=choices) if choices else None),
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def campaigns_page(request: HttpRequest) -> HttpResponse:
    """The campaigns of my clients; those who work a client's cases may start one."""
    actor = request_actor(request)
    if request.method != "POST":
        return render(request, "outbound/campaigns.html", _campaigns_context(request, actor))
    writable = campaign_clients(actor, for_write=True).order_by("name")
    if not writable.exists():
        raise PermissionDenied
    form = CampaignForm(request.POST, clients=[(c.code, c.name) for c in writable])
    if form.is_valid():
        data = form.cleaned_data
        client = access_client(actor, data["client"], permission=Permission.CASE_WORK)
        try:
            campaign = campaign_create(
                actor=actor,
                client=client,
                name=data["name"],
                kind=data["kind"],
                calendar=data["calendar"].strip() or None,
                max_attempts=data["max_attempts"],
                retry_minutes=data["retry_minutes"],
            )
        except ValidationFailed as failed:
            add_service_errors(form, failed)
        else:
            messages.success(request, _("Campaign “%(name)s” is ready.") % {"name": campaign.name})
            return redirect("outbound:campaign", campaign_id=campaign.pk)
    context = _campaigns_context(request, actor, form)
    return render(request, "outbound/campaigns.html", context, status=422)


# --- One campaign ----------------------------------------------------------------------------


def _window_text(window: CallingWindow, viewer: ZoneInfo) -> dict[str, Any]:
    zone = zone_named(window.timezone) if window.timezone else viewer

    def at(value: datetime | None) -> When | None:
        return when(value, zone, viewer) if value is not None else None

    return {
        "window": window,
        "opens": at(window.opens_at),
        "closes": at(window.closes_at),
    }


def _campaign_context(
    request: HttpRequest,
    actor: Actor,
    campaign: Campaign,
    *,
    upload: CallListForm | None = None,
    line_errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    viewer = _viewer_zone(request)
    now = timezone.now()
    page = Paginator(campaign_entries(campaign=campaign), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    zone = ZoneInfo("UTC")
    window = calling_window(campaign=campaign, now=now)
    if window.timezone:
        zone = zone_named(window.timezone)
    rows = [
        {
            "entry": entry,
            "phone": _mask(entry.phone),
            "name": entry.contact.name,
            "outcome": _outcome(entry.outcome),
            "next": when(entry.next_attempt_at, zone, viewer) if entry.next_attempt_at else None,
        }
        for entry in page.object_list
    ]
    return {
        "campaign": campaign_with_progress(campaign=campaign),
        "client": campaign.client,
        "page": page,
        "rows": rows,
        "can_work": has_permission(actor, Permission.CASE_WORK, campaign.client_id),
        "upload": upload or CallListForm(),
        "line_errors": line_errors or [],
        "attempt_form": AttemptForm(),
        "viewer_zone": viewer.key,
        **_window_text(window, viewer),
    }


@login_required
@domain_errors
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = access_campaign(actor, campaign_id)
    return render(request, "outbound/campaign.html", _campaign_context(request, actor, campaign))


@login_required
@require_POST
@domain_errors
def call_list_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Load a CSV list: all of it, or nothing and every bad line named."""
    actor = request_actor(request)
    campaign = access_campaign(actor, campaign_id, for_write=True)
    form = CallListForm(request.POST, request.FILES)
    line_errors: list[FieldError] = []
    if form.is_valid():
        try:
            loaded = call_list_upload(
                actor=actor,
                campaign=campaign,
                csv_text=form.cleaned_data["csv_text"],
                region=form.cleaned_data["region"],
            )
        except ValidationFailed as failed:
            line_errors = failed.errors
        else:
            messages.success(
                request,
                _(
                    "Call list loaded: %(added)s new numbers, %(already)s already listed, "
                    "%(refused)s on the do-not-call list."
                )
                % {
                    "added": loaded.added,
                    "already": loaded.already_listed,
                    "refused": loaded.do_not_call,
                },
            )
            return redirect("outbound:campaign", campaign_id=campaign.pk)
    context = _campaign_context(request, actor, campaign, upload=form, line_errors=line_errors)
    return render(request, "outbound/campaign.html", context, status=422)


@login_required
@require_POST
@domain_errors
def next_call_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Hand the agent the next number (held for them); with htmx only the panel is swapped."""
    actor = request_actor(request)
    campaign = access_campaign(actor, campaign_id, for_write=True)
    try:
        entry = next_call(actor=actor, campaign=campaign)
    except Conflict as conflict:
        messages.error(request, str(conflict))
        return redirect("outbound:campaign", campaign_id=campaign.pk)
    context = _campaign_context(request, actor, campaign)
    context |= {"dial": entry, "dial_name": entry.contact.name if entry else "", "asked": True}
    htmx = bool(getattr(request, "htmx", False))
    template = "outbound/campaign.html#dial" if htmx else "outbound/campaign.html"
    return render(request, template, context)


@login_required
@require_POST
@domain_errors
def attempt_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    actor = request_actor(request)
    entry = access_call_list_entry(actor, entry_id, for_write=True)
    form = AttemptForm(request.POST)
    if not form.is_valid():
        reasons = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("Nothing recorded: %(reason)s") % {"reason": reasons})
        return redirect("outbound:campaign", campaign_id=entry.campaign_id)
    data = form.cleaned_data
    try:
        attempt_record(
            actor=actor,
            entry=entry,
            disposition=data["disposition"],
            notes=data["notes"].strip(),
            survey_score=data["survey_score"],
        )
    except ValidationFailed as failed:
        reasons = "; ".join(error.message for error in failed.errors)
        messages.error(request, _("Nothing recorded: %(reason)s") % {"reason": reasons})
    except Conflict as conflict:
        messages.error(request, _("Nothing recorded: %(reason)s") % {"reason": conflict})
    else:
        outcome = Disposition(data["disposition"]).label
        messages.success(
            request,
            _("Line %(line)s: %(outcome)s.") % {"line": entry.line_number, "outcome": outcome},
        )
    return redirect("outbound:campaign", campaign_id=entry.campaign_id)


# --- Do-not-call -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def do_not_call_page(request: HttpRequest, code: str) -> HttpResponse:
    """A client's do-not-call list: how many numbers it holds, and a form to add one. The
    numbers themselves are kept only as blind indexes, so they cannot be listed."""
    actor = request_actor(request)
    writing = request.method == "POST"
    client = access_client(
        actor, code, permission=Permission.CASE_WORK if writing else Permission.CASE_VIEW
    )
    form = DoNotCallForm(request.POST if writing else None)
    status = 200
    if writing:
        if form.is_valid():
            try:
                phone, region = form.cleaned_data["phone"], form.cleaned_data["region"]
                if region is not None:  # a national number: E.164 with its country
                    phone = normalise_phone(phone, region=region)
                do_not_call_add(actor=actor, client=client, phone=phone, source="agent")
            except ValidationFailed as failed:
                add_service_errors(form, failed)
            else:
                messages.success(request, _("The number will not be called again."))
                return redirect("outbound:do-not-call", code=client.code)
        status = 422
    context = {
        "client": client,
        "form": form,
        "count": do_not_call_count(client=client),
        "can_work": has_permission(actor, Permission.CASE_WORK, client.pk),
    }
    return render(request, "outbound/do_not_call.html", context, status=status)

"""Pages: a client's agreements, an agreement's history, a version in full, and loading one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pactline.agreements.access import access_agreement, access_agreement_version
from pactline.agreements.diff import agreement_diff
from pactline.agreements.documents import document_export
from pactline.agreements.forms import AgreementDocumentForm
from pactline.agreements.models import AgreementVersion
from pactline.agreements.presentation import agreement_view, version_actions
from pactline.agreements.presentation.standing import version_standing
from pactline.agreements.selectors import (
    agreement_list,
    agreement_version_in_force,
    agreement_version_list,
    agreement_version_previous,
)
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.common.http import domain_errors
from pactline.tenancy.access import (
    Actor,
    Permission,
    access_client,
    has_permission,
    require_provider,
)
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client

_SERVICES = {
    "propose": agreement_version_propose,
    "accept": agreement_version_accept,
    "activate": agreement_version_activate,
}
_DONE = {
    "propose": gettext_lazy("Version %(number)s is proposed to the client."),
    "accept": gettext_lazy("Version %(number)s is accepted."),
    "activate": gettext_lazy("Version %(number)s is activated."),
}


@login_required
@domain_errors
def client_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.AGREEMENT_VIEW)
    now = timezone.now()
    in_force = agreement_version_in_force(client, now)
    agreements = []
    for agreement in agreement_list(actor=actor, client=client).order_by("reference"):
        versions = list(agreement_version_list(agreement=agreement))
        latest = versions[0] if versions else None
        agreements.append(
            {
                "agreement": agreement,
                "versions": versions,
                "standing": version_standing(latest, in_force, now) if latest else None,
            }
        )
    context = {
        "client": client,
        "agreements": agreements,
        "in_force": in_force,
        "can_draft": has_permission(actor, Permission.AGREEMENT_DRAFT, client.id),
        "can_manage_tokens": has_permission(actor, Permission.TOKEN_MANAGE, client.id),
    }
    return render(request, "agreements/client.html", context)


@login_required
@domain_errors
def agreement_page(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request_actor(request)
    agreement = access_agreement(actor, agreement_id)
    now = timezone.now()
    in_force = agreement_version_in_force(agreement.client, now)
    if in_force is not None and in_force.agreement_id != agreement.id:
        in_force = None  # the client's agreement in force is another one
    versions = agreement_version_list(agreement=agreement)
    context = {
        "agreement": agreement,
        "client": agreement.client,
        "rows": [(version, version_standing(version, in_force, now)) for version in versions],
        "in_force": in_force,
        "can_draft": has_permission(actor, Permission.AGREEMENT_DRAFT, agreement.client_id),
    }
    return render(request, "agreements/agreement.html", context)


def _lifecycle_context(actor: Actor, version: AgreementVersion) -> dict[str, Any]:
    now = timezone.now()
    standing = version_standing(version, agreement_version_in_force(version.client, now), now)
    return {
        "version": version,
        "actions": version_actions(actor, version),
        "standing": standing,
        "is_in_force": standing.in_force,
    }


def _version_page(
    request: HttpRequest, actor: Actor, version: AgreementVersion, *, status: int = 200
) -> HttpResponse:
    document = version.terms
    previous = agreement_version_previous(version)
    context = _lifecycle_context(actor, version) | {
        "client": version.client,
        "agreement": version.agreement,
        "doc": agreement_view(document),
        "previous": previous,
        "changes": agreement_diff(previous.terms, document) if previous is not None else [],
        "reason": request.POST.get("reason", "") if request.method == "POST" else "",
    }
    return render(request, "agreements/version.html", context, status=status)


@login_required
@domain_errors
def version_page(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _version_page(request, actor, access_agreement_version(actor, version_id))


@login_required
@require_POST
@domain_errors
def version_action(request: HttpRequest, version_id: int, action: str) -> HttpResponse:
    """Propose, accept or activate; htmx gets the lifecycle panel back, others a redirect."""
    service = _SERVICES.get(action)
    if service is None:
        raise Http404
    actor = request_actor(request)
    version = access_agreement_version(actor, version_id)
    try:
        if action == "activate":
            reason = request.POST.get("reason")
            version = agreement_version_activate(
                actor=actor, version=version, override_reason=reason
            )
        else:
            version = service(actor=actor, version=version)
    except (Conflict, ValidationFailed) as refused:
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": refused})
        if not getattr(request, "htmx", False):
            # The page again with the refusal, answered as the API answers it.
            status = 409 if isinstance(refused, Conflict) else 422
            return _version_page(request, actor, version, status=status)
    else:
        messages.success(request, _DONE[action] % {"number": version.number})
    if getattr(request, "htmx", False):
        version = access_agreement_version(actor, version_id)
        context = _lifecycle_context(actor, version) | {"inline_messages": True}
        return render(request, "agreements/version.html#lifecycle", context)
    return redirect("agreements:version", version_id=version_id)


@login_required
@domain_errors
def version_export(request: HttpRequest, version_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("yaml", "json"):
        raise Http404
    version = access_agreement_version(request_actor(request), version_id)
    text, content_type = document_export(version.document, "json" if fmt == "json" else "yaml")
    response = HttpResponse(text, content_type=content_type)
    name = f"{version.agreement.reference}-v{version.number}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _load(request: HttpRequest, actor: Actor, client: Client | None, template: str) -> HttpResponse:
    """Validate and store a posted document; re-show the form with every error otherwise."""
    form = AgreementDocumentForm(request.POST or None, request.FILES or None)
    errors: list[FieldError] = []
    if request.method == "POST" and form.is_valid():
        try:
            loaded = agreement_version_create(
                actor=actor,
                text=form.cleaned_data["source"],
                fmt=form.cleaned_data["format"],
                client=client,
                create_client=client is None,
            )
        except ValidationFailed as failed:
            errors = failed.errors
        else:
            version = loaded.version
            if loaded.created:
                messages.success(
                    request,
                    _("Version %(number)s is loaded as a draft.") % {"number": version.number},
                )
            else:
                messages.info(
                    request,
                    _("This document is the same as version %(number)s; nothing new was stored.")
                    % {"number": version.number},
                )
            return redirect("agreements:version", version_id=version.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, template, {"form": form, "client": client, "errors": errors}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def version_new(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.AGREEMENT_DRAFT)
    return _load(request, actor, client, "agreements/version_new.html")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def onboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    require_provider(actor, Permission.CLIENT_CREATE)
    return _load(request, actor, None, "agreements/version_new.html")

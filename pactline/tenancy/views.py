"""Pages: the client list and a client's API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pactline.common.errors import NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.tenancy.access import Permission, access_api_token, access_client
from pactline.tenancy.forms import TokenCreateForm
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import TokenScope
from pactline.tenancy.selectors import api_token_rows, client_list
from pactline.tenancy.services import api_token_create, api_token_revoke


@login_required
@domain_errors
def client_list_page(request: HttpRequest) -> HttpResponse:
    clients = client_list(actor=request_actor(request))
    return render(request, "tenancy/client_list.html", {"clients": clients})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def token_list_page(request: HttpRequest, code: str) -> HttpResponse:
    """List a client's tokens; a POST issues one and shows its plain text this once only."""
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.TOKEN_MANAGE)
    now = timezone.now()
    form = TokenCreateForm(request.POST or None, now=now)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, raw = api_token_create(
                    actor=actor,
                    client=client,
                    name=form.cleaned_data["name"],
                    scope=TokenScope(form.cleaned_data["scope"]),
                    expires_at=form.expires_at(),
                    now=now,
                )
            except ValidationFailed as failed:
                for error in failed.errors:
                    form.add_error(None, str(error))
                status = 422
            else:
                issued = {"token": token, "raw": raw}
                form = TokenCreateForm(now=now)
        else:
            status = 422
    context = {
        "client": client,
        "tokens": api_token_rows(actor=actor, client=client, now=now),
        "form": form,
        "issued": issued,
    }
    response = render(request, "tenancy/tokens.html", context, status=status)
    if issued is not None:
        # The secret is in this page: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors
def token_revoke(request: HttpRequest, code: str, token_id: int) -> HttpResponse:
    actor = request_actor(request)
    token = access_api_token(actor, token_id)
    if token.client.code != code:
        raise NotFound
    api_token_revoke(actor=actor, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tenancy:tokens", code=code)

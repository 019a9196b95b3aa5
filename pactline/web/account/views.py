"""Sign-in (password, then the code when the user has an authenticator) and the page where a
user turns two-factor sign-in on or off."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from pactline.common.errors import ValidationFailed
from pactline.common.http import domain_errors, remote_address
from pactline.tenancy.http import SecondFactor, second_factor, signed_in_user_actor
from pactline.tenancy.signin import sign_in_refusal_record
from pactline.tenancy.two_factor import (
    totp_check,
    totp_device_of,
    totp_enrol,
    totp_new_secret,
    totp_provisioning_uri,
    totp_remove,
    totp_wait_until,
    two_factor_required,
)
from pactline.web.account.forms import CodeForm
from pactline.web.landing import landing_url

_SECRET_SESSION_KEY = "pactline_totp_secret"


class SignInView(auth_views.LoginView):
    """Django's sign-in page; a wrong password is audited (a locked-out attempt is audited and
    answered by the lockout page instead, see `lockout.py`)."""

    template_name = "web/login.html"

    def get_default_redirect_url(self) -> str:
        return landing_url(signed_in_user_actor(self.request))

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if not getattr(self.request, "axes_locked_out", False):
            sign_in_refusal_record(
                username=str(self.request.POST.get("username", "")),
                address=remote_address(self.request),
                locked_out=False,
            )
        return super().form_invalid(form)


def _next_url(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return landing_url(signed_in_user_actor(request))


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a current code from the user's authenticator."""
    device = totp_device_of(request.user)  # type: ignore[arg-type]
    if device is None or second_factor(request) is SecondFactor.DONE:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            verified = totp_check(
                user=request.user,  # type: ignore[arg-type]
                code=form.cleaned_data["code"],
                address=remote_address(request),
            )
            if verified is not None:
                otp_login(request, verified)
                return HttpResponseRedirect(_next_url(request))
            form.add_error("code", _("That code is not valid. Enter the current code."))
    wait_until = totp_wait_until(device)
    context = {"form": form, "next": _next_url(request), "wait_until": wait_until}
    return render(request, "web/account/sign_in_code.html", context, status=status)


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, omitsize=False))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator (scan, then confirm with a code), or turn it off again."""
    actor = signed_in_user_actor(request)
    user: Any = request.user
    device = totp_device_of(user)
    required = two_factor_required(actor)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if device is None:
                    secret = str(request.session.get(_SECRET_SESSION_KEY, ""))
                    device = totp_enrol(
                        actor=actor, user=user, secret=secret, code=form.cleaned_data["code"]
                    )
                    request.session.pop(_SECRET_SESSION_KEY, None)
                    otp_login(request, device)
                    messages.success(request, _("Two-factor sign-in is on."))
                    if required:
                        return HttpResponseRedirect(_next_url(request))
                else:
                    totp_remove(actor=actor, user=user, code=form.cleaned_data["code"])
                    messages.success(request, _("Two-factor sign-in is off."))
                return redirect("account:two-factor")
            except ValidationFailed as failed:
                for error in failed.errors:
                    form.add_error("code", error.message)
    context: dict[str, Any] = {
        "form": form,
        "device": device,
        "required": required,
        "next": str(request.GET.get("next") or request.POST.get("next") or ""),
    }
    if device is None:
        secret = str(request.session.get(_SECRET_SESSION_KEY) or "")
        if not secret:
            secret = totp_new_secret()
            request.session[_SECRET_SESSION_KEY] = secret
        uri = totp_provisioning_uri(user, secret)
        context |= {"uri": uri, "qr_svg": _qr_svg(uri), "secret_b32": _base32(secret)}
    response = render(request, "web/account/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the set-up key is on the page
    return response


def _base32(secret: str) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    text = b32encode(bytes.fromhex(secret)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

"""The page a locked-out sign-in gets (django-axes calls `lockout_response`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pactline.common.http import remote_address
from pactline.tenancy.signin import sign_in_refusal_record

LOCKED_OUT_STATUS = 429


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, saying why and for how long, with 429 Too Many Requests."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")
    sign_in_refusal_record(username=username, address=remote_address(request), locked_out=True)
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "form": AuthenticationForm(request, initial={"username": username[:150]}),
        "locked_out": True,
        "cool_off_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "next": request.POST.get("next", ""),
    }
    return render(request, "web/login.html", context, status=LOCKED_OUT_STATUS)

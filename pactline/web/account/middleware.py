"""Sends a session that owes its second factor to the step that settles it, before any page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from pactline.tenancy.http import SecondFactor, second_factor

# Pages a session may reach while it owes a code or an enrolment.
_ALWAYS_OPEN = frozenset({"login", "logout", "set_language", "account:sign-in-code"})
_OPEN_FOR_ENROLMENT = _ALWAYS_OPEN | {"account:two-factor"}


def _url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return str(match.view_name)


def _to(view: str, request: HttpRequest) -> HttpResponseRedirect:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return HttpResponseRedirect(reverse(view) + (f"?{query}" if query else ""))


class SecondFactorMiddleware:
    """The API is left to its own authentication: a session owing its second factor is
    anonymous there (`request_actor`), so it gets a 401 rather than a redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.api_prefix = "/api/"
        self.static_prefix = "/" + str(settings.STATIC_URL).lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith((self.api_prefix, self.static_prefix)):
            state = second_factor(request)
            if state is SecondFactor.CODE_NEEDED and _url_name(request) not in _ALWAYS_OPEN:
                return _to("account:sign-in-code", request)
            if (
                state is SecondFactor.ENROLMENT_NEEDED
                and _url_name(request) not in _OPEN_FOR_ENROLMENT
            ):
                return _to("account:two-factor", request)
        return self.get_response(request)

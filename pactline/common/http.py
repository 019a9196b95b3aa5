"""HTTP helpers for pages: domain errors as HTTP answers, the client's address."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from pactline.common.errors import Forbidden, NotFound


def domain_errors[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """NotFound → 404 and Forbidden → 403, so views never interpret access themselves."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None

    return wrapper


def remote_address(request: HttpRequest) -> str:
    """The address the request came from. Behind `PACTLINE_TRUSTED_PROXIES` reverse proxies
    (each appending to X-Forwarded-For) it is the entry the nearest trusted proxy added; the
    entries left of it are whatever the client claimed, and are never believed."""
    hops = int(getattr(settings, "PACTLINE_TRUSTED_PROXIES", 0))
    peer = str(request.META.get("REMOTE_ADDR") or "")
    if hops <= 0:
        return peer
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    return forwarded[-hops] if len(forwarded) >= hops else peer

"""Turning domain errors into HTTP answers for pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

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

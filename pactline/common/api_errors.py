"""Every answer of /api/v1 is JSON, errors included, and an oversized body is a JSON 413.

The API's own handlers answer domain errors as JSON; what happens before or around it does not:
an unknown path (Django's 404 page), a method the route lacks (405), a CSRF failure (403), a
server error (500), a body Django refuses to read (400). This middleware, outermost, turns any
error answer under the API's prefix that is not JSON into `{"detail": ...}` with the same status
(and headers such as Allow), and answers a Content-Length over `DATA_UPLOAD_MAX_MEMORY_SIZE`
with 413 before any view reads the body. It reads and discards that body first (up to
`DRAIN_MAX` bytes): a server that closes a socket with unread data resets the connection, and
the client sees the reset instead of the answer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"
DRAIN_MAX = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _detail(status: int, reason: str) -> str:
    messages = {
        400: _("The request is not valid."),
        401: _("Authentication is required."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        500: _("Server error."),
    }
    return messages.get(status, reason)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        too_big = _too_big(request)
        if too_big is not None:
            return too_big
        return _as_json(self.get_response(request))


def _too_big(request: HttpRequest) -> HttpResponse | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is None or length <= limit:
        return None
    if length <= DRAIN_MAX:
        remaining = length
        while remaining > 0 and (chunk := request.read(min(_CHUNK, remaining))):
            remaining -= len(chunk)
    response = JsonResponse(
        {"detail": _("The request body is too large (at most %(n)s bytes).") % {"n": limit}},
        status=413,
    )
    if length > DRAIN_MAX:
        response["Connection"] = "close"
    return response


def _as_json(response: HttpResponseBase) -> HttpResponseBase:
    if response.status_code < 400:
        return response
    if str(response.get("Content-Type", "")).startswith("application/json"):
        return response
    answer = JsonResponse(
        {"detail": _detail(response.status_code, response.reason_phrase)},
        status=response.status_code,
    )
    for name in _KEPT_HEADERS:
        if name in response:
            answer[name] = response[name]
    response.close()
    return answer

"""Assembles /api/v1 from each app's router and maps domain errors to HTTP answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from pactline.agreements.api import router as agreements_router
from pactline.cases.api import router as cases_router
from pactline.channels.chat.api import router as chat_router
from pactline.channels.social.api import router as social_router
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.tenancy.api import router as clients_router
from pactline.tenancy.http import BearerTokenAuth, SessionActorAuth

api = NinjaAPI(
    title="Pactline API",
    version="1",
    description=(
        "Outsourced customer care run by its service agreement.\n\n"
        "**Idempotency.** Any POST, PUT, PATCH or DELETE may carry an `Idempotency-Key` "
        "header (at most 200 visible ASCII characters, e.g. a UUID). The first request with "
        "a key runs; a repeat from the same token or user within 24 hours gets the first "
        "answer again, with `Idempotent-Replayed: true`, and changes nothing. The same key "
        "with a different request is refused with 422; while the first request is still "
        "running a repeat waits, then gets 409. Answers of 400 and above are not kept, so "
        "a corrected request may reuse its key."
    ),
    auth=[BearerTokenAuth(), SessionActorAuth()],
    urls_namespace="api-v1",
)
api.add_router("", clients_router)
api.add_router("", agreements_router)
api.add_router("", cases_router)
api.add_router("", chat_router)
api.add_router("", social_router)
api.add_router("", "pactline.channels.voice.api.router")
api.add_router("", "pactline.channels.outbound.api.router")
api.add_router("", "pactline.metrics.api.router")
api.add_router("", "pactline.metrics.reports.api.router")


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("You do not have permission to do this.")}, status=403
    )


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ValidationFailed)
def invalid(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    errors = [{"path": e.path, "message": e.message, "line": e.line} for e in exc.errors]
    return api.create_response(
        request, {"detail": _("The input is not valid."), "errors": errors}, status=422
    )

"""Assembles /api/v1 from each app's router and maps domain errors to HTTP answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaInvalid

from pactline.agreements.api import router as agreements_router
from pactline.cases.api import router as cases_router
from pactline.channels.chat.api import router as chat_router
from pactline.channels.social.api import router as social_router
from pactline.common.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from pactline.common.json_input import CheckedJsonParser
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
    parser=CheckedJsonParser(),
)
api.add_router("", clients_router)
api.add_router("", agreements_router)
api.add_router("", cases_router)
api.add_router("", chat_router)
api.add_router("", social_router)
api.add_router("", "pactline.channels.voice.api.router")
api.add_router("", "pactline.channels.outbound.api.router")
api.add_router("", "pactline.metrics.api.router")
api.add_router("", "pactline.billing.api.router")
api.add_router("", "pactline.reports.api.router")


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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raises (too deep, NUL, unpaired surrogates) in a 400.
    if isinstance(exc.__cause__, ValidationFailed):
        return invalid(request, exc.__cause__)
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def _field_path(loc: list[str | int]) -> str:
    """ninja's `loc` (source, parameter, field, …) as the field's dotted path: `["body",
    "payload", "author", "name"]` → `author.name`, `["query", "at"]` → `at`."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in _SOURCES else None
    if source in ("body", "form") and len(parts) >= 2:
        parts.pop(0)  # the view's parameter holding the schema
    return ".".join(str(part) for part in parts) or str(source or "body")


@api.exception_handler(SchemaInvalid)
def schema_invalid(request: HttpRequest, exc: SchemaInvalid) -> HttpResponse:
    """A schema's refusal in the same shape as the services': each error names its field."""
    errors = [
        FieldError(_field_path(list(error.get("loc", ()))), _message(error)) for error in exc.errors
    ]
    return invalid(request, ValidationFailed(errors))


def _message(error: dict[str, object]) -> str:
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")

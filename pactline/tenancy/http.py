"""The acting party of a request: its signed-in user or its API token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from pactline.tenancy.access import Actor, actor_for_token, actor_for_user
from pactline.tenancy.services import api_token_authenticate


def request_actor(request: HttpRequest) -> Actor:
    """The actor for a page request, computed once per request."""
    cached: Actor | None = getattr(request, "_pactline_actor", None)
    if cached is None:
        cached = actor_for_user(getattr(request, "user", None))
        request._pactline_actor = cached  # type: ignore[attr-defined]
    return cached


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer pl_…` — a client-scoped API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        api_token = api_token_authenticate(token)
        return actor_for_token(api_token) if api_token is not None else None


class SessionActorAuth(APIKeyCookie):
    """The browser session (CSRF-checked on writes), as an actor."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        actor = request_actor(request)
        return actor if actor.is_authenticated else None


def api_actor(request: HttpRequest) -> Actor:
    """The actor an authenticated API request runs as (set by the auth classes above)."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor

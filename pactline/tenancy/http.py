"""The acting party of a request: its signed-in user or its API token."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from pactline.tenancy.access import ANONYMOUS, Actor, actor_for_token, actor_for_user
from pactline.tenancy.services import api_token_authenticate
from pactline.tenancy.two_factor import totp_device_of, two_factor_required


class SecondFactor(StrEnum):
    """Where a signed-in session stands with two-factor sign-in."""

    DONE = "done"  # verified with a code, or no second factor asked of this user
    CODE_NEEDED = "code_needed"  # the user has an authenticator: the password is not enough
    ENROLMENT_NEEDED = "enrolment_needed"  # a role of the user requires one, and none is set up


def _signed_in_actor(request: HttpRequest) -> Actor:
    cached: Actor | None = getattr(request, "_pactline_user_actor", None)
    if cached is None:
        cached = actor_for_user(getattr(request, "user", None))
        request._pactline_user_actor = cached  # type: ignore[attr-defined]
    return cached


def second_factor(request: HttpRequest) -> SecondFactor:
    """The session's two-factor state, computed once per request."""
    cached: SecondFactor | None = getattr(request, "_pactline_second_factor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    state = SecondFactor.DONE
    if user is not None and user.is_authenticated:
        verified = getattr(user, "is_verified", None)
        if not (callable(verified) and verified()):
            if totp_device_of(user) is not None:
                state = SecondFactor.CODE_NEEDED
            elif two_factor_required(_signed_in_actor(request)):
                state = SecondFactor.ENROLMENT_NEEDED
    request._pactline_second_factor = state  # type: ignore[attr-defined]
    return state


def signed_in_user_actor(request: HttpRequest) -> Actor:
    """The signed-in user as an actor even before the second factor: only for the sign-in and
    enrolment steps themselves. Everything else uses `request_actor`."""
    return _signed_in_actor(request)


def request_actor(request: HttpRequest) -> Actor:
    """The actor for a page request, computed once per request. A session that still owes its
    second factor (a code, or the enrolment a role requires) acts as nobody."""
    cached: Actor | None = getattr(request, "_pactline_actor", None)
    if cached is None:
        actor = _signed_in_actor(request)
        cached = actor if second_factor(request) is SecondFactor.DONE else ANONYMOUS
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

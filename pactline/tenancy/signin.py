"""The audit trail of refused sign-ins (django-axes counts them and locks out; this records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from pactline.audit.services import audit_record

_MAX_TEXT = 150


@dataclass(frozen=True)
class _Anonymous:
    user_id: int | None = None
    audit_label: str = "anonymous"


def _printable(text: str) -> str:
    """Whatever was typed, storable anywhere: no NUL, no lone surrogate, bounded."""
    cleaned = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned[:_MAX_TEXT]


def sign_in_username(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str:
    """The username django-axes counts failures under: what was typed, made storable (its
    attempt table holds 255 characters; PostgreSQL refuses longer text and NUL)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    return _printable(str(typed or ""))


def sign_in_refusal_record(*, username: str, address: str, locked_out: bool) -> None:
    """Audit one refused sign-in: a wrong password (`sign_in.failed`) or an attempt refused
    because the username or the address is locked out (`sign_in.locked_out`)."""
    name = _printable(username)
    target = User.objects.filter(username=name).first() if name else None
    audit_record(
        actor=_Anonymous(),
        action="sign_in.locked_out" if locked_out else "sign_in.failed",
        obj=target,
        payload={"username": name, "address": _printable(address)},
    )

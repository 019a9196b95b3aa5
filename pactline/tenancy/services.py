"""Writes for clients, memberships and API tokens. Each owns its transaction and is audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import (
    Actor,
    Permission,
    require,
    require_provider,
    token_issuing_membership,
)
from pactline.tenancy.models import (
    CLIENT_ROLES,
    ApiToken,
    Client,
    Membership,
    Provider,
    Role,
    TokenScope,
)

TOKEN_PREFIX = "pl_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def provider_ensure(*, name: str) -> Provider:
    provider, _created = Provider.objects.get_or_create(pk=1, defaults={"name": name})
    return provider


@transaction.atomic
def client_create(*, actor: Actor, code: str, name: str, legal_name: str = "") -> Client:
    require_provider(actor, Permission.CLIENT_CREATE)
    if Client.objects.filter(code=code).exists():
        raise ValidationFailed(
            [FieldError("code", _("a client with code '%(code)s' exists") % {"code": code})]
        )
    client = Client.objects.create(code=code, name=name, legal_name=legal_name)
    audit_record(
        actor=actor,
        action="client.created",
        client_id=client.id,
        obj=client,
        payload={"code": code, "name": name},
    )
    return client


@transaction.atomic
def membership_grant(*, actor: Actor, user: User, role: Role, client: Client | None) -> Membership:
    """Give `user` a role for one client, or for every client when `client` is None."""
    require_provider(actor, Permission.CLIENT_CREATE)
    if role in CLIENT_ROLES and client is None:
        raise ValidationFailed([FieldError("client", _("a client role needs a client"))])
    membership, created = Membership.objects.get_or_create(user=user, client=client, role=role)
    if created:
        audit_record(
            actor=actor,
            action="membership.granted",
            client_id=client.id if client else None,
            obj=membership,
            payload={"user": user.get_username(), "role": role.value},
        )
    return membership


@transaction.atomic
def user_ensure(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user if missing; an existing user keeps its password."""
    require_provider(actor, Permission.CLIENT_CREATE)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": email, "is_staff": is_staff, "is_superuser": is_superuser},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="user.created",
            obj=user,
            payload={"username": username, "staff": is_staff, "superuser": is_superuser},
        )
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    client: Client,
    name: str,
    scope: TokenScope,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token; the plain text is returned once and never stored.

    The token is tied to the membership that lets `actor` manage the client's tokens, and
    stops working when that membership goes, when the creator is deactivated, or at
    `expires_at` (None: it does not expire)."""
    require(actor, Permission.TOKEN_MANAGE, client.id)
    if actor.user_id is None:
        raise ValidationFailed([FieldError("actor", _("API tokens are issued to a user"))])
    cleaned = name.strip()
    errors = []
    if not cleaned:
        errors.append(FieldError("name", _("a token needs a name")))
    if scope not in TokenScope.values:
        errors.append(FieldError("scope", _("must be one of: read, write")))
    if expires_at is not None and expires_at <= (now or timezone.now()):
        errors.append(FieldError("expires_at", _("the expiry must be in the future")))
    membership = token_issuing_membership(actor, client.id)
    if membership is None:
        errors.append(FieldError("actor", _("API tokens are issued by a signed-in member")))
    if errors:
        raise ValidationFailed(errors)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        client=client,
        created_by_id=actor.user_id,
        membership=membership,
        name=cleaned[:100],
        scope=scope,
        prefix=prefix,
        digest=_digest(raw),
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="api_token.created",
        client_id=client.id,
        obj=token,
        payload={
            "name": token.name,
            "scope": token.scope,
            "prefix": prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    require(actor, Permission.TOKEN_MANAGE, token.client_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoked",
            client_id=token.client_id,
            obj=token,
            payload={"prefix": token.prefix},
        )
    return token


@dataclass(frozen=True)
class _TokenIdentity:
    """Who the audit log names for a refused token: the token, on its creator's behalf."""

    user_id: int | None
    audit_label: str


def api_token_authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token for `raw`, or None.

    A known token that may not be used (revoked, expired, its creator deactivated or no longer
    holding the membership it was issued under) is refused, and the refusal is audited. A
    usable token notes its use at most once a minute."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("client", "created_by", "membership")
        .filter(digest=_digest(raw), client__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    refusal = token.refusal(now)
    if refusal is not None:
        audit_record(
            actor=_TokenIdentity(user_id=token.created_by_id, audit_label=f"token:{token.prefix}"),
            action="api_token.refused",
            client_id=token.client_id,
            obj=token,
            payload={"prefix": token.prefix, "reason": refusal.value},
        )
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

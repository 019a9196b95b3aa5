"""Who may do what for which client. The only module that reads memberships.

Rule: an actor that cannot see a client gets `NotFound` (the same answer as for a client that
does not exist); an actor that can see it but lacks the role for the action gets `Forbidden`.

An agent's role for a client holds only while the agent is cleared for it: certified for the
client's programme and, when the agreement in force requires it, bound by a confidentiality
agreement (a certification or agreement that expired or was revoked no longer clears). An
uncleared agent's grant is dropped when the actor is built, so every check below — pages, API,
downloads, lists, writes — treats the client as not theirs. The workforce records that decide
clearance sit above this app; `pactline.workforce` registers the reader when Django starts
(`clearance_reader_register`), and until one is registered no agent is cleared for any client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.models import CLIENT_ROLES, ApiToken, Client, Membership, Role, TokenScope


class Permission(StrEnum):
    CLIENT_VIEW = "client.view"
    CLIENT_CREATE = "client.create"
    AGREEMENT_VIEW = "agreement.view"
    AGREEMENT_DRAFT = "agreement.draft"
    AGREEMENT_ACCEPT = "agreement.accept"
    AGREEMENT_ACTIVATE = "agreement.activate"
    TOKEN_MANAGE = "token.manage"
    AUDIT_VIEW = "audit.view"
    CASE_VIEW = "case.view"
    CASE_WORK = "case.work"
    CASE_INTERNAL_VIEW = "case.internal_view"  # the provider's internal notes on a case
    MATERIAL_REQUEST = "material.request"
    MATERIAL_APPROVE = "material.approve"
    METRICS_REBUILD = "metrics.rebuild"
    STATEMENT_ISSUE = "statement.issue"
    QUEUE_WORK = "queue.work"  # take contacts from the client's queues (needs clearance)
    QUEUE_SUPERVISE = "queue.supervise"  # watch the client's queues and who works them
    WALLBOARD_VIEW = "wallboard.view"  # a page for people: never carried by an API token
    WORKFORCE_MANAGE = "workforce.manage"  # certifications, confidentiality agreements
    KNOWLEDGE_READ = "knowledge.read"
    KNOWLEDGE_WRITE = "knowledge.write"
    BILLING_VIEW = "billing.view"  # invoices, notes, usage, credits, the diversion balance
    BILLING_MANAGE = "billing.manage"  # close a month, issue, record payments and top-ups
    FORECAST_UPLOAD = "forecast.upload"  # the client's volume forecasts that credits judge by


_READ = frozenset({Permission.CLIENT_VIEW, Permission.AGREEMENT_VIEW, Permission.CASE_VIEW})
# What the provider's own staff read beyond what its clients read.
_PROVIDER_READ = _READ | {Permission.CASE_INTERNAL_VIEW}
_WORK = _PROVIDER_READ | {Permission.CASE_WORK}
# Supervisors and provider admins keep the programme: its queues, its people, its knowledge.
_PROGRAMME = frozenset(
    {
        Permission.QUEUE_SUPERVISE,
        Permission.WALLBOARD_VIEW,
        Permission.WORKFORCE_MANAGE,
        Permission.KNOWLEDGE_READ,
        Permission.KNOWLEDGE_WRITE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Accepting a change is the client's act; the provider cannot accept its own proposal.
    # Taking queued work is an agent's, under the agent's clearance.
    Role.PROVIDER_ADMIN: frozenset(Permission)
    - {Permission.AGREEMENT_ACCEPT, Permission.QUEUE_WORK},
    Role.SUPERVISOR: _WORK | _PROGRAMME | {Permission.MATERIAL_APPROVE},
    Role.AGENT: _WORK | {Permission.QUEUE_WORK, Permission.KNOWLEDGE_READ},
    Role.QA_ANALYST: _PROVIDER_READ,
    Role.WORKFORCE_PLANNER: _PROVIDER_READ,
    # Billing sees every client and its agreements (what is billed, and by which terms) and
    # nothing of the work itself: no case, chat, mail, recording or knowledge. Statements and
    # reports, which credits are computed from, are read with CLIENT_VIEW. Only billing and the
    # provider admin close months, issue and record payments.
    Role.BILLING: frozenset(
        {
            Permission.CLIENT_VIEW,
            Permission.AGREEMENT_VIEW,
            Permission.BILLING_VIEW,
            Permission.BILLING_MANAGE,
            Permission.FORECAST_UPLOAD,
        }
    ),
    Role.CLIENT_MANAGER: _READ
    | {
        Permission.AGREEMENT_ACCEPT,
        Permission.TOKEN_MANAGE,
        Permission.MATERIAL_REQUEST,
        Permission.BILLING_VIEW,
        Permission.FORECAST_UPLOAD,
    },
    Role.CLIENT_VIEWER: _READ | {Permission.MATERIAL_REQUEST, Permission.BILLING_VIEW},
}

# Permissions a read-only API token never carries, whatever its creator's roles.
WRITE_PERMISSIONS = frozenset(
    {
        Permission.CLIENT_CREATE,
        Permission.AGREEMENT_DRAFT,
        Permission.AGREEMENT_ACCEPT,
        Permission.AGREEMENT_ACTIVATE,
        Permission.TOKEN_MANAGE,
        Permission.CASE_WORK,
        Permission.MATERIAL_REQUEST,
        Permission.MATERIAL_APPROVE,
        Permission.METRICS_REBUILD,
        Permission.STATEMENT_ISSUE,
        Permission.QUEUE_WORK,
        Permission.WORKFORCE_MANAGE,
        Permission.KNOWLEDGE_WRITE,
        Permission.BILLING_MANAGE,
        Permission.FORECAST_UPLOAD,
    }
)

# Permissions for pages people watch; an API token never carries them, whatever its scope.
PEOPLE_ONLY_PERMISSIONS = frozenset({Permission.WALLBOARD_VIEW})

ALL_CLIENTS = None  # the key of provider-wide grants


@dataclass(frozen=True)
class Actor:
    """Someone acting: a signed-in user, an API token (its creator's roles for one client,
    narrowed by its scope), or the system itself (command line, workers)."""

    user_id: int | None
    audit_label: str
    grants: dict[int | None, frozenset[Role]] = field(default_factory=dict)
    token: ApiToken | None = None
    is_system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.is_system or self.user_id is not None


ANONYMOUS = Actor(user_id=None, audit_label="anonymous")


def system_actor(label: str = "system") -> Actor:
    return Actor(user_id=None, audit_label=f"system:{label}", is_system=True)


# The roles that hold for a client only while the user is cleared for it.
CLEARANCE_ROLES = frozenset({Role.AGENT})

# (user id, instant) -> ids of the clients the user is cleared for at that instant.
ClearanceReader = Callable[[int, datetime], frozenset[int]]
_clearance_readers: list[ClearanceReader] = []


def clearance_reader_register(reader: ClearanceReader) -> None:
    """Install the reader of agents' clearances (the workforce app does, when Django starts)."""
    _clearance_readers[:] = [reader]


def is_cleared(actor: Actor, client_id: int, at: datetime) -> bool:
    """Whether the actor's user is cleared for the client at `at`, asked of the registered
    reader: for apps beside the workforce that judge an agent at an instant of their own."""
    if actor.user_id is None or not _clearance_readers:
        return False
    return client_id in _clearance_readers[0](actor.user_id, at)


def _cleared(
    grants: dict[int | None, frozenset[Role]], user_id: int, at: datetime
) -> dict[int | None, frozenset[Role]]:
    """The grants with each agent's role kept only for the clients the user is cleared for.

    A provider-wide agent's role becomes a role for each client they are cleared for. One read
    of the workforce records, and only for users who hold an agent's role at all."""
    if not any(roles & CLEARANCE_ROLES for roles in grants.values()):
        return grants
    cleared = _clearance_readers[0](user_id, at) if _clearance_readers else frozenset()
    narrowed: dict[int | None, frozenset[Role]] = {}
    for key, roles in grants.items():
        if key is None or key not in cleared:
            roles = roles - CLEARANCE_ROLES
        if roles:
            narrowed[key] = roles
    everywhere = grants.get(ALL_CLIENTS, frozenset()) & CLEARANCE_ROLES
    if everywhere:
        for client_id in cleared:
            narrowed[client_id] = narrowed.get(client_id, frozenset()) | everywhere
    return narrowed


def _grants_of(user_id: int, at: datetime | None = None) -> dict[int | None, frozenset[Role]]:
    grants: dict[int | None, set[Role]] = {}
    for client_id, role in Membership.objects.filter(user_id=user_id).values_list(
        "client_id", "role"
    ):
        grants.setdefault(client_id, set()).add(Role(role))
    held = {key: frozenset(roles) for key, roles in grants.items()}
    return _cleared(held, user_id, at or timezone.now())


def actor_for_user(
    user: AbstractBaseUser | AnonymousUser | None, *, at: datetime | None = None
) -> Actor:
    """The user's actor; agents' roles hold for the clients they are cleared for at `at`
    (default: now)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    user_id = int(user.pk)
    return Actor(
        user_id=user_id,
        audit_label=f"user:{user.get_username()}",
        grants=_grants_of(user_id, at),
    )


def actor_for_token(token: ApiToken) -> Actor:
    creator = _grants_of(token.created_by_id)
    roles = creator.get(ALL_CLIENTS, frozenset()) | creator.get(token.client_id, frozenset())
    return Actor(
        user_id=token.created_by_id,
        audit_label=f"token:{token.prefix}",
        grants={token.client_id: roles} if roles else {},
        token=token,
    )


def roles_for(actor: Actor, client_id: int) -> frozenset[Role]:
    if actor.token is not None and actor.token.client_id != client_id:
        return frozenset()
    return actor.grants.get(ALL_CLIENTS, frozenset()) | actor.grants.get(client_id, frozenset())


def can_see_client(actor: Actor, client_id: int) -> bool:
    return actor.is_system or bool(roles_for(actor, client_id))


def has_permission(actor: Actor, permission: Permission, client_id: int | None) -> bool:
    if actor.is_system:
        return True
    if actor.token is not None and permission in PEOPLE_ONLY_PERMISSIONS:
        return False
    read_only = actor.token is not None and actor.token.scope == TokenScope.READ
    if read_only and permission in WRITE_PERMISSIONS:
        return False
    if client_id is None:
        roles = actor.grants.get(ALL_CLIENTS, frozenset()) if actor.token is None else frozenset()
    else:
        roles = roles_for(actor, client_id)
    return any(permission in ROLE_PERMISSIONS[role] for role in roles)


def holds_role_permission(actor: Actor, permission: Permission, client_id: int) -> bool:
    """Whether a role the actor holds for the client carries `permission`, whatever the token's
    scope (for reads that describe what the actor does, e.g. who works a client's cases)."""
    return any(permission in ROLE_PERMISSIONS[role] for role in roles_for(actor, client_id))


def roles_with(permission: Permission) -> list[str]:
    """The codes of the roles that carry `permission`."""
    return sorted(role.value for role, allowed in ROLE_PERMISSIONS.items() if permission in allowed)


def memberships_with(permission: Permission, client_id: int) -> QuerySet[Membership]:
    """Memberships whose role carries `permission` for the client: its own or provider-wide."""
    return Membership.objects.filter(role__in=roles_with(permission)).filter(
        Q(client_id=client_id) | Q(client__isnull=True)
    )


def require(actor: Actor, permission: Permission, client_id: int) -> None:
    """NotFound if the client is not the actor's to see, Forbidden if the role is missing."""
    if not can_see_client(actor, client_id):
        raise NotFound
    if not has_permission(actor, permission, client_id):
        raise Forbidden


def require_provider(actor: Actor, permission: Permission) -> None:
    """For provider-wide actions such as onboarding a client."""
    if not has_permission(actor, permission, None):
        raise Forbidden


def visible_clients(actor: Actor) -> QuerySet[Client]:
    clients = Client.objects.all()
    if actor.is_system or (actor.token is None and ALL_CLIENTS in actor.grants):
        return clients
    return clients.filter(id__in=[key for key in actor.grants if key is not None])


def clients_with(actor: Actor, permission: Permission) -> list[int]:
    """Ids of the clients for which the actor holds `permission`."""
    return [
        client_id
        for client_id in visible_clients(actor).values_list("id", flat=True)
        if has_permission(actor, permission, client_id)
    ]


def access_client(
    actor: Actor, code: str, *, permission: Permission = Permission.CLIENT_VIEW
) -> Client:
    # No code holds a NUL character, and PostgreSQL refuses to compare text with one.
    client = Client.objects.filter(code=code).first() if "\x00" not in code else None
    if client is None:
        raise NotFound
    require(actor, permission, client.id)
    return client


def access_api_token(actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_related("client").filter(id=token_id).first()
    if token is None:
        raise NotFound
    require(actor, Permission.TOKEN_MANAGE, token.client_id)
    return token


def token_issuing_membership(actor: Actor, client_id: int) -> Membership | None:
    """The membership under which `actor` may issue a token for the client: the client's own
    first, else a provider-wide one. The token works only while that membership exists."""
    if actor.user_id is None or actor.token is not None:
        return None
    candidates = Membership.objects.filter(
        user_id=actor.user_id, role__in=roles_with(Permission.TOKEN_MANAGE)
    )
    return (
        candidates.filter(client_id=client_id).order_by("id").first()
        or candidates.filter(client__isnull=True).order_by("id").first()
    )


def requires_two_factor(actor: Actor, required_roles: Iterable[str]) -> bool:
    """True when the actor holds any of `required_roles` (role codes) for any client."""
    required = {Role(code) for code in required_roles if code in Role.values}
    return bool(all_roles(actor) & required)


def all_roles(actor: Actor) -> frozenset[Role]:
    roles: frozenset[Role] = frozenset()
    for granted in actor.grants.values():
        roles |= granted
    return roles


def actor_role_labels(actor: Actor) -> list[str]:
    """The names of the roles the actor holds anywhere, sorted (for the start page)."""
    return sorted(str(role.label) for role in all_roles(actor))


def is_client_side(actor: Actor) -> bool:
    """True when every role the actor holds is a client's role (portal users)."""
    roles = all_roles(actor)
    return bool(roles) and roles <= CLIENT_ROLES


def is_provider_admin(actor: Actor) -> bool:
    return actor.is_system or Role.PROVIDER_ADMIN in actor.grants.get(ALL_CLIENTS, frozenset())


def supervisor_ids(client_id: int) -> list[int]:
    """The active users who supervise the client's programme: a supervisor's role for the
    client, or provider-wide; in id order. Whoever receives the client's escalations."""
    return list(
        Membership.objects.filter(
            Q(client_id=client_id) | Q(client__isnull=True),
            role=Role.SUPERVISOR,
            user__is_active=True,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def roles_held(client_id: int) -> frozenset[str]:
    """The roles someone holds for the client, for that client or for every client."""
    return frozenset(
        Membership.objects.filter(Q(client_id=client_id) | Q(client__isnull=True))
        .values_list("role", flat=True)
        .distinct()
    )

"""Fetch-and-authorize for cases: one NotFound for "missing" and "not yours"."""

from __future__ import annotations

from pactline.cases.models import Case
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import (
    ALL_CLIENTS,
    Actor,
    Permission,
    holds_role_permission,
    require,
)


def access_case(actor: Actor, case_id: int, *, for_write: bool = False) -> Case:
    """The case, if the actor may see it (CASE_VIEW) or work it (CASE_WORK, `for_write`)."""
    case = (
        Case.objects.select_related("client", "agreement_version", "agreement_version__agreement")
        .filter(id=case_id)
        .first()
    )
    if case is None:
        raise NotFound
    require(actor, Permission.CASE_WORK if for_write else Permission.CASE_VIEW, case.client_id)
    return case


def _works_cases(actor: Actor, client_id: int) -> bool:
    # Judged on the roles, not on `has_permission`: the at-risk list is a read, so a read-only
    # token of someone who works the client's cases may fetch it too.
    return holds_role_permission(actor, Permission.CASE_WORK, client_id)


def require_at_risk(actor: Actor) -> None:
    """The supervisor view of clocks at risk: for those who work cases of some client, and for
    provider-wide roles (QA, planning, billing watch every programme). Client-side users and
    anyone without a role get Forbidden: there is no single object here to hide behind a 404."""
    if actor.is_system:
        return
    if actor.token is None and actor.grants.get(ALL_CLIENTS):
        return
    if any(_works_cases(actor, client_id) for client_id in actor.grants if client_id is not None):
        return
    raise Forbidden


def can_watch_at_risk(actor: Actor) -> bool:
    try:
        require_at_risk(actor)
    except Forbidden:
        return False
    return True

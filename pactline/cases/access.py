"""Fetch-and-authorize for cases: one NotFound for "missing" and "not yours"."""

from __future__ import annotations

from pactline.cases.models import Case
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
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
    provider-wide roles that read every programme's cases (QA, planning). Billing, client-side
    users and anyone without a role get Forbidden: there is no single object here to hide
    behind a 404."""
    if actor.is_system:
        return
    # A provider-wide role that reads cases (`None`: the provider-wide grants; never a token's).
    if actor.token is None and has_permission(actor, Permission.CASE_VIEW, None):
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


def can_read_cases(actor: Actor) -> bool:
    """Whether the actor may see some client's cases (the menu offers Cases and Campaigns only
    then; billing, which sees every client but no case, is not offered them). No query."""
    if actor.is_system:
        return True
    return any(has_permission(actor, Permission.CASE_VIEW, client_id) for client_id in actor.grants)

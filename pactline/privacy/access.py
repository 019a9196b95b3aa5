"""Fetch-and-authorize for material requests: one NotFound for "missing" and "not yours",
Forbidden when the client is visible but the role lacks the permission; and who may use the
provider's materials desk."""

from __future__ import annotations

from pactline.common.errors import Forbidden, NotFound
from pactline.privacy.models import MaterialRequest
from pactline.tenancy.access import (
    Actor,
    Permission,
    clients_with,
    has_permission,
    require,
)


def access_material_request(
    actor: Actor, request_id: int, *, permission: Permission
) -> MaterialRequest:
    found = (
        MaterialRequest.objects.select_related("client", "recording", "recording__case")
        .filter(id=request_id)
        .first()
    )
    if found is None:
        raise NotFound
    require(actor, permission, found.client_id)
    return found


def require_materials_desk(actor: Actor) -> None:
    """The provider's materials desk: for those who approve requests or work cases of some
    client. Client-side users and anyone else get Forbidden (there is no single object here to
    hide behind a 404)."""
    if actor.is_system:
        return
    for permission in (Permission.MATERIAL_APPROVE, Permission.CASE_WORK):
        if has_permission(actor, permission, None) or clients_with(actor, permission):
            return
    raise Forbidden


def can_use_materials_desk(actor: Actor) -> bool:
    """Whether `require_materials_desk` lets the actor in (the menu offers the desk only then)."""
    try:
        require_materials_desk(actor)
    except Forbidden:
        return False
    return True

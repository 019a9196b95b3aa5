"""Fetch-and-authorize for recordings and material requests: one NotFound for "missing" and
"not yours", Forbidden when the client is visible but the role lacks the permission."""

from __future__ import annotations

from pactline.common.errors import Forbidden, NotFound
from pactline.privacy.models import MaterialRequest, Recording
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
    require,
    visible_clients,
)


def access_recording(actor: Actor, recording_id: int, *, permission: Permission) -> Recording:
    recording = Recording.objects.select_related("client", "case").filter(id=recording_id).first()
    if recording is None:
        raise NotFound
    require(actor, permission, recording.client_id)
    return recording


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


def clients_with(actor: Actor, permission: Permission) -> list[int]:
    """Ids of the clients for which the actor holds `permission`."""
    return [
        client_id
        for client_id in visible_clients(actor).values_list("id", flat=True)
        if has_permission(actor, permission, client_id)
    ]


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

"""What a viewer of a case may do with its material, judged through `pactline.tenancy`'s
access helpers (never by reading memberships here)."""

from __future__ import annotations

from dataclasses import dataclass

from pactline.cases.models import Case
from pactline.tenancy.access import Actor, Permission, has_permission


@dataclass(frozen=True)
class CaseRights:
    work: bool  # provider staff who work the client's cases: attach, open, download, email files
    request: bool  # client users: request material, download it once approved
    approve: bool  # supervisors and provider admins: decide requests on the materials desk


def case_rights(actor: Actor, case: Case) -> CaseRights:
    """For an actor already through `access_case` (who may see the case)."""
    work = has_permission(actor, Permission.CASE_WORK, case.client_id)
    return CaseRights(
        work=work,
        # Who works the cases downloads directly; requesting is the client's way in. A request
        # and its link belong to a person, so an API token never requests.
        request=not work
        and actor.user_id is not None
        and actor.token is None
        and has_permission(actor, Permission.MATERIAL_REQUEST, case.client_id),
        approve=has_permission(actor, Permission.MATERIAL_APPROVE, case.client_id),
    )

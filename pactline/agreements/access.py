"""Fetch-and-authorize for agreements: one NotFound for missing and not yours."""

from __future__ import annotations

from pactline.agreements.models import Agreement, AgreementVersion
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, require


def access_agreement(
    actor: Actor, agreement_id: int, *, permission: Permission = Permission.AGREEMENT_VIEW
) -> Agreement:
    agreement = Agreement.objects.select_related("client").filter(id=agreement_id).first()
    if agreement is None:
        raise NotFound
    require(actor, permission, agreement.client_id)
    return agreement


def access_agreement_version(
    actor: Actor, version_id: int, *, permission: Permission = Permission.AGREEMENT_VIEW
) -> AgreementVersion:
    version = (
        AgreementVersion.objects.select_related("agreement", "client").filter(id=version_id).first()
    )
    if version is None:
        raise NotFound
    require(actor, permission, version.client_id)
    return version

"""Where a version stands, as a reader means it: at most one version of a client is in force.

The stored status says what was done to a version (activated, later superseded); whether it
is in force is a question of time, answered by `agreement_version_in_force`. An activated
version whose effective time is still ahead is scheduled, whatever its stored status, and
one whose time has passed but is not in force has been superseded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from pactline.agreements.models import ACTIVATED, AgreementVersion, VersionStatus


@dataclass(frozen=True)
class Standing:
    code: str  # the badge's style: draft, proposed, active, accepted, superseded
    label: str
    in_force: bool = False
    scheduled: bool = False
    awaiting_acceptance: bool = False


def version_standing(
    version: AgreementVersion, in_force: AgreementVersion | None, now: datetime
) -> Standing:
    if version.status not in ACTIVATED:
        awaiting = (
            version.status == VersionStatus.PROPOSED
            and version.acceptance_required
            and version.accepted_at is None
        )
        return Standing(
            code=str(version.status),
            label=str(VersionStatus(version.status).label),
            awaiting_acceptance=awaiting,
        )
    if in_force is not None and in_force.pk == version.pk:
        return Standing(code="active", label=gettext("In force"), in_force=True)
    if version.effective_from is not None and version.effective_from > now:
        return Standing(code="accepted", label=gettext("Scheduled"), scheduled=True)
    return Standing(code="superseded", label=gettext("Superseded"))

"""The time zone a client's figures are shown and cut into days in: its agreement's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from pactline.agreements.models import ACTIVATED, AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.tenancy.models import Client


def client_zone(client: Client, at: datetime | None = None) -> ZoneInfo:
    """The home time zone of the agreement version in force at `at` (now), else of the
    client's first activated version, else UTC."""
    version = agreement_version_in_force(client, at or timezone.now())
    if version is None:
        version = (
            AgreementVersion.objects.filter(client=client, status__in=ACTIVATED)
            .order_by("effective_from")
            .first()
        )
    return ZoneInfo(version.home_timezone if version is not None else "UTC")

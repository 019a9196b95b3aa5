"""Start-up checks of tenancy settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from pactline.tenancy.models import Role


def two_factor_roles_check(**kwargs: Any) -> list[CheckMessage]:
    """Every code in PACTLINE_2FA_REQUIRED_ROLES names a role (a typo would silently require
    nothing)."""
    unknown = sorted(set(settings.PACTLINE_2FA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"PACTLINE_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use role codes: {', '.join(Role.values)}",
            id="pactline.tenancy.E001",
        )
    ]

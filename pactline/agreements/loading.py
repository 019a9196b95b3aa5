"""Loading agreement files (command line and demo): create, and optionally put in force."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from pactline.agreements.documents import Format
from pactline.agreements.models import VersionStatus
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.common.errors import Conflict, ValidationFailed
from pactline.tenancy.access import Actor


def _format_of(path: Path, fmt: str | None) -> Format | None:
    if fmt in ("yaml", "json"):
        return fmt  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


@transaction.atomic
def agreement_file_load(*, actor: Actor, path: Path, fmt: str | None, activate: bool) -> str:
    """Load one file; returns a one-line account of what happened. Idempotent.

    Activating goes through change control like any other: an amendment whose date is before
    its notice date stays a draft, and one that needs the client's acceptance stays proposed;
    the account says why."""
    loaded = agreement_version_create(
        actor=actor, text=path.read_bytes(), fmt=_format_of(path, fmt), create_client=True
    )
    version = loaded.version
    held = ""
    activated = False
    try:
        if activate and version.status == VersionStatus.DRAFT:
            version = agreement_version_propose(actor=actor, version=version)
        if activate and version.status == VersionStatus.PROPOSED:
            version = agreement_version_activate(actor=actor, version=version)
            activated = True
    except (Conflict, ValidationFailed) as refused:
        version.refresh_from_db()
        held = f": {refused}"
    what = "stored" if loaded.created else "activated" if activated else "unchanged"
    return (
        f"{what}: {version.client.code} {version.agreement.reference} "
        f"v{version.number} ({version.status}){held}"
    )

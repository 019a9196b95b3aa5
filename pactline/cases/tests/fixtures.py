"""Cases under the example agreements, for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import EXAMPLES
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

# Monday 2 March 2026, 09:00 in New York (EST, UTC-5): Northwind's business hours open at 08:00.
MONDAY_9AM_NY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def load_example(name: str) -> AgreementVersion:
    system = system_actor("test")
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    version = agreement_version_create(actor=system, text=text, create_client=True).version
    if version.status != VersionStatus.DRAFT:
        return version  # loaded before: the same document changes nothing
    agreement_version_propose(actor=system, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    return agreement_version_activate(actor=system, version=version, now=version.created_at)


def northwind() -> Client:
    return load_example("general-outsourcing").client

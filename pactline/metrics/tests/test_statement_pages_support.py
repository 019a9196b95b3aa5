"""Statement-test helpers (no tests here): client A under the general outsourcing agreement in
New York, amended from 16 March 2026, with calls either side of the amendment.

March under version 1 (answer 80 % within 20 s, minimum volume 100): 3 of 4 calls within
20 s, 75 %, not measured (4 calls). From 16 March under version 2 (50 % within 30 s, no
minimum): 2 of 4 within 30 s, one abandon under 5 s not counted: 50 %, met."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import World
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.test_pages_support import example_text
from pactline.core.agreement import agreement_to_data, parse_agreement
from pactline.metrics.tests.support import SYSTEM, CallSpec
from pactline.metrics.tests.test_dashboard_support import (
    Http,
    import_and_consume,
    load_in_zone,
)
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

MARCH_5 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # 10:00 EST
MARCH_20 = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # 10:00 EDT
APRIL_2 = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def amend(client: Client) -> None:
    """Version 2 from 16 March: answer 50 % within 30 s, no minimum volume."""
    data = agreement_to_data(parse_agreement(example_text("general-outsourcing")))
    data["parties"]["client"]["code"] = client.code
    data["parties"]["client"]["name"] = client.name
    data["term"]["start"] = "2020-01-01"
    data["effective_from"] = "2026-03-16"
    level = data["service_levels"]["phone"]["answer_within"]
    level.update(threshold_seconds=30, target_percent=50, minimum_volume=0)
    proposed = datetime(2026, 2, 1, tzinfo=UTC)
    text = json.dumps(data, ensure_ascii=False, default=str)
    version = agreement_version_create(actor=SYSTEM, text=text, client=client, now=proposed).version
    agreement_version_propose(actor=SYSTEM, version=version, now=proposed)
    agreement_version_accept(actor=system_actor("client"), version=version, now=proposed)
    hold_escalation_roles(version.client)
    agreement_version_activate(actor=SYSTEM, version=version, now=proposed)


def _calls(prefix: str, start: datetime, waits: list[int], abandoned: list[int]) -> list[CallSpec]:
    calls = [
        CallSpec(f"{prefix}a{i}", start + timedelta(minutes=i), "answered", wait, talk=60)
        for i, wait in enumerate(waits)
    ]
    calls += [
        CallSpec(f"{prefix}b{i}", start + timedelta(minutes=100 + i), "abandoned", wait)
        for i, wait in enumerate(abandoned)
    ]
    return calls


@dataclass(frozen=True)
class March:
    http: Http
    world: World
    directory: Path


@pytest.fixture(name="march")
def march_fixture(world: World, tmp_path: Path) -> March:
    load_in_zone(world.client_a, "America/New_York")
    amend(world.client_a)
    load_in_zone(world.client_b, "Asia/Kathmandu")
    calls = _calls("x", MARCH_5, [5, 10, 19, 40], [])
    calls += _calls("y", MARCH_20, [5, 25, 31, 60], [2])
    import_and_consume(world.client_a, calls, tmp_path, "march")
    return March(Http(world), world, tmp_path)


def late_calls(march: March) -> None:
    """Two more slow calls on 5 March, imported late."""
    import_and_consume(
        march.world.client_a, _calls("z", MARCH_5, [50, 60], []), march.directory, "late"
    )

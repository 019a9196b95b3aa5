"""Compliance statements: verdicts, the minimum-volume rule, the split at an amendment,
immutability and reissue."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import example_data
from pactline.cases.tests.fixtures import northwind
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.metrics.consumer import consume_all
from pactline.metrics.models import Statement
from pactline.metrics.statements import statement_issue, statement_reissue
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.tenancy.access import system_actor
from pactline.tenancy.tests.holders import hold_escalation_roles

pytestmark = pytest.mark.django_db

MARCH_5 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # 10:00 in New York
MARCH_20 = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


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


def _amend(client_code: str) -> None:
    """From 16 March: answer 50% within 30 s, no minimum volume."""
    data = example_data("general-outsourcing")
    data["parties"]["client"]["code"] = client_code
    data["effective_from"] = "2026-03-16"
    level = data["service_levels"]["phone"]["answer_within"]
    level.update(threshold_seconds=30, target_percent=50, minimum_volume=0)
    text = json.dumps(data, default=str, ensure_ascii=False)
    proposed_at = datetime(2026, 2, 1, tzinfo=UTC)
    version = agreement_version_create(actor=SYSTEM, text=text, fmt="json", now=proposed_at).version
    agreement_version_propose(actor=SYSTEM, version=version, now=proposed_at)
    agreement_version_accept(actor=system_actor("client"), version=version, now=proposed_at)
    hold_escalation_roles(version.client)
    agreement_version_activate(actor=SYSTEM, version=version, now=proposed_at)


def _answer_within(content: dict, segment: int) -> dict:
    return next(
        result
        for result in content["segments"][segment]["results"]
        if (result["channel"], result["name"]) == ("phone", "answer_within")
    )


def test_statement_splits_at_the_amendment(tmp_path: Path) -> None:
    client = northwind()
    _amend(client.code)
    # Before: 3 of 4 within 20 s (SL-C, 80% target, minimum volume 100 -> not measured).
    # After: 2 of 4 within 30 s, 1 short abandon (<5 s) excluded -> 2/4 ... see below.
    calls = _calls("x", MARCH_5, [5, 10, 19, 40], [])
    calls += _calls("y", MARCH_20, [5, 25, 31, 60], [2])
    import_calls(client, calls, tmp_path)
    consume_all()
    statement, created = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 1), now=NOW)
    assert created
    assert (statement.period_start, statement.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert statement.timezone == "America/New_York"
    segments = statement.content["segments"]
    assert [segment["agreement_version"] for segment in segments] == [1, 2]
    assert segments[0]["from"] == "2026-03-01T05:00:00+00:00"
    assert segments[1]["from"] == "2026-03-16T04:00:00+00:00"  # EDT from 8 March
    before = _answer_within(statement.content, 0)
    assert (before["value"], before["volume"], before["minimum_volume"]) == ("75", 4, 100)
    assert (before["operator"], before["target"], before["verdict"]) == (">=", "80", "not_measured")
    after = _answer_within(statement.content, 1)
    # SL-C at 30 s: 2 answered within / (4 answered + 1 abandoned - 1 short abandon) = 50%.
    assert (after["value"], after["target"], after["verdict"]) == ("50", "50", "met")
    assert after["numerator"] == "2" and after["denominator"] == "4"
    assert "{threshold}" in after["definition"] or after["params"]


def test_issued_statement_is_immutable_and_reissued_with_a_reason(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, _calls("x", MARCH_5, [5, 10, 19, 40], []), tmp_path)
    consume_all()
    first, _ = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 9), now=NOW)
    again, created = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 31), now=NOW)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(TypeError):
        first.reason = "edited"
        first.save()
    with pytest.raises(TypeError):
        first.delete()
    with pytest.raises(ValidationFailed) as missing:
        statement_reissue(actor=SYSTEM, statement=first, reason="  ", now=NOW)
    assert missing.value.errors[0].path == "reason"
    # A late import changes the measured month; the reissue shows it, the original does not.
    import_calls(client, _calls("z", MARCH_5, [50, 60], []), tmp_path, name="late")
    consume_all()
    second = statement_reissue(actor=SYSTEM, statement=first, reason="late CDR file", now=NOW)
    first.refresh_from_db()
    assert (second.revision, second.reason, first.superseded_by_id) == (
        2,
        "late CDR file",
        second.pk,
    )
    assert _answer_within(first.content, 0)["volume"] == 4
    assert _answer_within(second.content, 0)["volume"] == 6
    with pytest.raises(Conflict):
        statement_reissue(actor=SYSTEM, statement=first, reason="again", now=NOW)
    assert Statement.objects.filter(client=client).count() == 2


def test_open_period_and_unknown_frequency_are_refused() -> None:
    client = northwind()
    with pytest.raises(ValidationFailed) as early:
        statement_issue(actor=SYSTEM, client=client, day=date(2026, 4, 1), now=NOW)
    assert early.value.errors[0].path == "period"
    with pytest.raises(ValidationFailed) as odd:
        statement_issue(
            actor=SYSTEM, client=client, day=date(2026, 3, 1), frequency="hourly", now=NOW
        )
    assert odd.value.errors[0].path == "frequency"
    assert not Statement.objects.exists()


def test_only_the_provider_issues_statements(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((Forbidden, NotFound)):
        statement_issue(
            actor=world.client_a_manager.actor, client=world.client_a, day=date(2026, 3, 1), now=NOW
        )

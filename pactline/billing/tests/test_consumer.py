"""The billing consumer by cursor, late imports, the rebuild and the command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.billing.consumer import usage_consume_all, usage_job
from pactline.billing.diversion import diversion_top_up
from pactline.billing.models import Cursor, DiversionEntry, UsageRecord
from pactline.billing.rebuild import usage_rebuild
from pactline.billing.tests.support import (
    SYSTEM,
    TUESDAY_10AM_ADELAIDE,
    agent_state,
    call,
    draws,
    kestrel,
    records,
)
from pactline.cases.services import case_open, case_resolve
from pactline.common.errors import Forbidden, ValidationFailed
from pactline.metrics.after_rollups import after_rollups_jobs
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

T = TUESDAY_10AM_ADELAIDE
# September 2026 in Adelaide: from 31 August 14:30 UTC to 30 September 14:30 UTC.
SEPTEMBER = (datetime(2026, 8, 31, 14, 30, tzinfo=UTC), datetime(2026, 9, 30, 14, 30, tzinfo=UTC))


def _month(client: Client) -> None:
    """A little of everything: calls (one diverted), a case, an agent's day."""
    diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("5"), reference="R", now=T)
    call(client, "c1", T, talk=300, hold=20)
    call(client, "c1", T + timedelta(minutes=6), segment=2, queue="faults", talk=60)
    call(client, "d1", T + timedelta(minutes=7), talk=95, targets=["0412345678"])
    case = case_open(
        actor=SYSTEM,
        client=client,
        channel="chat",
        priority="standard",
        category="inquiry",
        at=T,
        now=T,
    )
    case_resolve(actor=SYSTEM, case=case, at=T + timedelta(minutes=20), now=T)
    agent_state(client, "Alice", "login", T - timedelta(hours=1))
    agent_state(client, "Alice", "logout", T + timedelta(hours=7))
    # Last day of the month in Adelaide, but 1 October in UTC... and the reverse.
    call(client, "late", datetime(2026, 9, 30, 14, 0, tzinfo=UTC), talk=30)
    call(client, "next", datetime(2026, 9, 30, 15, 0, tzinfo=UTC), talk=30)


def test_the_consumer_reads_each_change_once() -> None:
    client = kestrel()
    _month(client)
    assert usage_consume_all(batch=2) == 8  # 5 calls, 1 case, 2 agent states
    assert len(records(client)) == 8  # 5 legs, created + resolved, one agent day
    positions = dict(Cursor.objects.filter(client=client).values_list("stream", "position"))
    assert set(positions) == {"voice", "cases", "agent_states", "chat"}
    pks = set(UsageRecord.objects.values_list("pk", flat=True))
    assert usage_consume_all() == 0
    assert set(UsageRecord.objects.values_list("pk", flat=True)) == pks


def test_a_late_import_re_derives_only_what_changed() -> None:
    client = kestrel()
    _month(client)
    usage_consume_all()
    before = {
        (row.call_id, row.part, row.leg): row.pk
        for row in UsageRecord.objects.filter(client=client)
    }
    call(client, "c1", T + timedelta(minutes=6), segment=2, queue="faults", talk=90)
    assert usage_consume_all() == 1
    after = {
        (row.call_id, row.part, row.leg): row.pk
        for row in UsageRecord.objects.filter(client=client)
    }
    assert set(after) == set(before)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {("c1", "leg", 1)}
    assert UsageRecord.objects.get(pk=after[("c1", "leg", 1)]).talk_seconds == 90


def test_the_rebuild_equals_the_consumer_and_changes_nothing_twice(world: World) -> None:
    client = kestrel()
    _month(client)
    usage_consume_all()
    consumed, drawn = records(client), draws(client)
    assert len(consumed) == 8 and len(drawn) == 1
    # Lose some usage, corrupt another record: the rebuild restores both.
    UsageRecord.objects.filter(client=client, source="case").delete()
    UsageRecord.objects.filter(client=client, call_id="c1").update(talk_seconds=1)
    DiversionEntry.objects.filter(kind="draw").delete()

    done = usage_rebuild(
        actor=world.billing.actor, client=client, start=SEPTEMBER[0], end=SEPTEMBER[1]
    )
    # 4 calls entered in September (not "next"), 1 case, 1 agent.
    assert (done.sources, done.records) == (6, 7)
    assert records(client) == consumed
    assert draws(client) == drawn
    assert AuditEvent.objects.filter(action="billing.usage_rebuilt").count() == 1

    usage_rebuild(actor=world.billing.actor, client=client, start=SEPTEMBER[0], end=SEPTEMBER[1])
    assert records(client) == consumed
    assert draws(client) == drawn
    assert usage_consume_all() == 0


def test_rebuild_refuses_bad_periods_and_other_roles(world: World) -> None:
    client = kestrel()
    with pytest.raises(ValidationFailed) as raised:
        usage_rebuild(actor=SYSTEM, client=client, start=SEPTEMBER[1], end=SEPTEMBER[0])
    assert raised.value.errors[0].path == "end"
    with pytest.raises(ValidationFailed) as raised:
        usage_rebuild(actor=SYSTEM, client=client, start=datetime(2026, 9, 1), end=SEPTEMBER[1])
    assert raised.value.errors[0].path == "start"
    with pytest.raises(Forbidden):
        usage_rebuild(
            actor=world.qa_analyst.actor, client=client, start=SEPTEMBER[0], end=SEPTEMBER[1]
        )
    assert not AuditEvent.objects.filter(action="billing.usage_rebuilt").exists()


def test_the_command_consumes_and_rebuilds_a_month_in_the_clients_zone() -> None:
    client = kestrel()
    _month(client)
    out = StringIO()
    call_command("billing", "consume", "--once", stdout=out)
    assert out.getvalue() == "billing: usage of 8 contact(s) derived\n"
    consumed = records(client)
    out = StringIO()
    call_command("billing", "rebuild", "--client", client.code, "--period", "2026-09", stdout=out)
    assert out.getvalue() == (
        "rebuilt usage of kestrel-energy 2026-09 (Australia/Adelaide): 6 sources, 7 records\n"
    )
    assert records(client) == consumed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--client", "nobody", "--period", "2026-09"], "--client: no client with code 'nobody'"),
        (["--client", "kestrel-energy", "--period", "2026-9"], "is not a month (YYYY-MM)"),
        (["--client", "kestrel-energy", "--period", "2026-13"], "is not a month (YYYY-MM)"),
    ],
)
def test_the_command_names_bad_arguments(arguments: list[str], message: str) -> None:
    kestrel()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("billing", "rebuild", *arguments)


def test_serve_keeps_usage_current() -> None:
    registered = {job.name: job for job in after_rollups_jobs()}
    assert registered["billing usage"].job is usage_job
    assert registered["billing usage"].every == 30
    client = kestrel()
    call(client, "c1", T, talk=60)
    assert usage_job() == ["billing: usage of 1 contact(s) derived"]
    assert usage_job() == []

"""Rollups agree with a recomputation from the raw calls, for random periods and filters.

The calls are random (outcomes, waits, queues, agents, times across three days), imported
through the real importer and rolled up in small batches; each query's measures from the
rollups must equal the sum of `pactline.core.kpi.call_measures` over the calls it selects."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.channels.voice.models import Call, Direction, Outcome
from pactline.core.kpi import Measures, Within, call_measures, total
from pactline.metrics.agreement_terms import client_thresholds
from pactline.metrics.consumer import consume_all
from pactline.metrics.intervals import INTERVAL
from pactline.metrics.selectors import Filter, measured_between
from pactline.metrics.tests.support import CallSpec, import_calls

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # spans New York's DST change on 8 March
SPAN = timedelta(days=3)
QUEUES = ("support", "sales", "billing")
AGENTS = ("Alice", "Bob", "Carol", "Dan")
_OUTCOMES = {
    Outcome.ANSWERED: "answered",
    Outcome.ABANDONED: "abandoned",
    Outcome.EXIT_KEY: "callback",
    Outcome.TIMEOUT: "other",
}


def _random_calls(rng: random.Random, count: int) -> list[CallSpec]:
    calls = []
    for index in range(count):
        outcome = rng.choices(["answered", "abandoned", "callback", "timeout"], [70, 20, 3, 7])[0]
        calls.append(
            CallSpec(
                call_id=f"r{index}",
                entered=START + timedelta(seconds=rng.randrange(int(SPAN.total_seconds()))),
                outcome=outcome,
                wait=rng.choice([0, 1, 4, 5, 6, 19, 20, 21, 29, 30, 31, rng.randrange(400)]),
                talk=rng.randrange(1, 900),
                queue=rng.choice(QUEUES),
                agent=rng.choice(AGENTS),
            )
        )
    return calls


def _recomputed(client_id: int, start: datetime, end: datetime, where: Filter) -> Measures:
    thresholds = client_thresholds(client_id)
    calls = Call.objects.filter(client_id=client_id, entered_at__gte=start, entered_at__lt=end)
    if where.queues is not None:
        calls = calls.filter(queue__in=where.queues)
    selected = []
    for call in calls:
        outcome = _OUTCOMES[Outcome(call.outcome)]
        answered = outcome == "answered"
        if where.agents is not None and (not answered or call.agent not in where.agents):
            continue
        assert call.direction == Direction.INBOUND
        selected.append(
            call_measures(
                outcome=outcome,  # type: ignore[arg-type]
                wait=call.wait_seconds,
                talk=call.talk_seconds if answered else 0,
                hold=call.hold_seconds if answered else 0,
                acw=call.acw_seconds if answered else 0,
                thresholds=thresholds,
            )
        )
    return total(selected)


@pytest.mark.parametrize("seed", [7, 11])
def test_rollups_equal_recomputation_from_raw_calls(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    client = northwind()
    import_calls(client, _random_calls(rng, 400), tmp_path)
    consume_all(batch=37)  # many small batches, each its own transaction
    slots = int(SPAN / INTERVAL)
    for _ in range(40):
        first = rng.randrange(slots)
        last = rng.randrange(first + 1, slots + 1)
        start, end = START + first * INTERVAL, START + last * INTERVAL
        where = Filter(
            queues=rng.choice([None, tuple(rng.sample(QUEUES, rng.randint(1, 2)))]),
            agents=rng.choice([None, tuple(rng.sample(AGENTS, rng.randint(1, 3)))]),
        )
        rolled = measured_between(client.id, start, end, where).measures
        expected = _recomputed(client.id, start, end, where)
        for name in Measures.fields_additive():
            assert getattr(rolled, name) == getattr(expected, name), (name, start, end, where)
        for threshold in client_thresholds(client.id):
            got = rolled.within.get(threshold, Within())
            want = expected.within.get(threshold, Within())
            assert got == want, (threshold, start, end, where)

"""The report cube reads the hour totals only when every cut falls on a whole hour."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pactline.cases.tests.fixtures import northwind
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import import_calls
from pactline.metrics.tests.test_hour_totals import FIRST, LATER, START
from pactline.reports.cube import Cube

pytestmark = pytest.mark.django_db


def test_the_cube_reads_hours_only_when_every_cut_is_on_the_hour(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, FIRST + LATER, tmp_path)
    consume_all()
    end = START + timedelta(hours=2)
    hourly = Cube(client.id, START, end, cuts=[START + timedelta(hours=1)])
    fine = Cube(client.id, START, end, cuts=[START + timedelta(minutes=30)])
    assert hourly.hourly and not fine.hourly
    for cube in (hourly, fine):
        hours = cube.series([START, START + timedelta(hours=1)], channels=["phone"])
        assert [b.measures.offered for b in hours] == [4, 1]
        assert [b.measures.within[20].answered for b in hours] == [2, 0]
    halves = fine.series([START, START + timedelta(minutes=30)], channels=["phone"])
    assert [b.measures.offered for b in halves] == [3, 2]
    with pytest.raises(ValueError, match="inside an hour"):
        hourly.series([START, START + timedelta(minutes=30)], channels=["phone"])

"""`pactline metrics run --once` and `pactline metrics rebuild`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pactline.audit.models import AuditEvent
from pactline.cases.tests.fixtures import northwind
from pactline.metrics.models import Rollup
from pactline.metrics.tests.support import import_calls
from pactline.metrics.tests.test_rollups import DAY, VECTOR, _snapshot

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_run_once_then_rebuild_changes_nothing(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    assert "metrics: 12 contact(s) rolled up\n" in _run("run", "--once")
    assert "rolled up" not in _run("run", "--once")
    before = _snapshot(client.id)
    Rollup.objects.filter(client=client).delete()
    day = DAY[0].date().isoformat()
    out = _run("rebuild", "--client", client.code, "--from", day, "--to", day)
    assert out == (
        f"rebuilt {client.code} {day}..{day} (America/New_York): 12 sources, 1 intervals\n"
    )
    assert _snapshot(client.id) == before
    assert AuditEvent.objects.filter(action="metrics.rebuilt").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "nobody", "--from", "2026-03-01", "--to", "2026-03-02"], "no client"),
        (["--client", "{code}", "--from", "2026-13-01", "--to", "2026-03-02"], "not a date"),
        (["--client", "{code}", "--from", "2026-03-05", "--to", "2026-03-02"], "before --from"),
    ],
)
def test_rebuild_refuses_bad_arguments(args: list[str], message: str) -> None:
    code = northwind().code
    with pytest.raises(CommandError, match=message):
        _run("rebuild", *(arg.format(code=code) for arg in args))


def test_run_once_runs_the_jobs_registered_after_the_rollups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pactline.metrics import after_rollups

    monkeypatch.setattr(after_rollups, "_JOBS", {})
    ran: list[str] = []

    def job() -> list[str]:
        ran.append("job")
        return ["job: done"]

    after_rollups.after_rollups_register("job", job, every=60)
    assert "job: done\n" in _run("run", "--once")
    assert ran == ["job"]

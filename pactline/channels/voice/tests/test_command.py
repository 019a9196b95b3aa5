"""`pactline import …`: output, exit status, strict mode; and the threaded writer."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import World
from pactline.channels.voice.models import AgentStateChange, Call, ImportRun
from pactline.channels.voice.tests.support import FIXTURES, calls, snapshot
from pactline.channels.voice.tests.test_queue_log import EXPECTED
from pactline.tenancy.models import Client


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_queue_log_command(world: World, tmp_path: Path) -> None:
    out, err = _run(
        "queue-log",
        str(FIXTURES / "queue_log"),
        "--client",
        "client-a",
        "--timezone",
        "America/New_York",
        "--reject-file",
        str(tmp_path / "rejects"),
    )
    assert out.splitlines() == [
        (
            f"{FIXTURES / 'queue_log'}: 49 line(s) read, 23 record(s) created, 0 updated,"
            " 0 unchanged (duplicates), 3 ignored, 5 rejected"
        ),
        "  agent_states: 13 created, 0 updated, 0 unchanged",
        "  calls: 10 created, 0 updated, 0 unchanged",
    ]
    assert f"5 bad line(s) were skipped; see {tmp_path / 'rejects'}" in err
    assert "  line 12: CONNECT data1 must be a whole number of at most 9 digits, found 'abc'" in err
    run = ImportRun.objects.get()
    assert (run.actor_label, run.format, run.timezone) == (
        "system:cli",
        "queue_log",
        "America/New_York",
    )


def test_strict_command_fails_and_writes_nothing(world: World, tmp_path: Path) -> None:
    before = snapshot()
    with pytest.raises(CommandError, match=r"5 bad line\(s\); nothing was imported"):
        _run(
            "queue-log",
            str(FIXTURES / "queue_log"),
            "--client=client-a",
            "--timezone=UTC",
            "--strict",
            f"--reject-file={tmp_path / 'r'}",
        )
    assert snapshot() == before
    assert ImportRun.objects.count() == 0


def test_cdr_command(world: World, tmp_path: Path) -> None:
    out, _err = _run(
        "cdr",
        str(FIXTURES / "freeswitch.ndjson"),
        "--format=freeswitch-json",
        "--client=client-b",
        f"--reject-file={tmp_path / 'r'}",
    )
    assert "  calls: 3 created, 0 updated, 0 unchanged" in out
    assert "  legs: 4 created, 0 updated, 0 unchanged" in out
    assert Call.objects.filter(client=world.client_b).count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client=nobody", "--timezone=UTC"], "no client with code 'nobody'"),
        (["--client=client-a", "--timezone=Mars/Base"], "timezone: unknown time zone 'Mars/Base'"),
        (["--client=client-a", "--timezone=UTC", "--region=USA"], "--region is a two-letter"),
    ],
)
def test_command_errors(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run("queue-log", str(FIXTURES / "queue_log"), *args)


def test_a_missing_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a readable file"):
        _run("queue-log", str(tmp_path / "nope"), "--client=client-a", "--timezone=UTC")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_are_written_on_a_second_thread(tmp_path: Path) -> None:
    """The CLI's case: the writer thread has its own connection; results are the same."""
    client = Client.objects.create(code="client-a", name="Client A")
    _run(
        "queue-log",
        str(FIXTURES / "queue_log"),
        "--client=client-a",
        "--timezone=America/New_York",
        "--batch-size=3",
        f"--reject-file={tmp_path / 'r'}",
    )
    assert calls(client) == EXPECTED
    assert AgentStateChange.objects.filter(client=client).count() == 13


@pytest.mark.django_db(transaction=True)
def test_a_failing_writer_thread_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Client.objects.create(code="client-a", name="Client A")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("pactline.channels.voice.writing.BatchWriter.flush", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _run(
            "queue-log",
            str(FIXTURES / "queue_log"),
            "--client=client-a",
            "--timezone=UTC",
            "--batch-size=2",
            "--no-progress",
            f"--reject-file={tmp_path / 'r'}",
        )
    assert ImportRun.objects.get().status == "failed"
    assert Call.objects.count() == 0


@pytest.mark.parametrize("first", [False, True])
def test_a_deeply_nested_cdr_line_is_rejected_and_the_good_ones_kept(
    world: World, tmp_path: Path, first: bool
) -> None:
    """The nested line is rejected with its number and reason; the rest of the file imports."""
    good = (FIXTURES / "freeswitch.ndjson").read_text().splitlines()
    deep = "[" * 100_000 + "]" * 100_000
    deep_cdr = '{"variables": {"uuid": "u-1", "x": ' + "[" * 100 + "]" * 100 + "}}"
    lines = [deep, *good, deep_cdr] if first else [good[0], deep, deep_cdr, *good[1:]]
    path = tmp_path / "cdr.ndjson"
    path.write_text("\n".join(lines) + "\n")
    out, err = _run(
        "cdr",
        str(path),
        "--format=freeswitch-json",
        "--client=client-b",
        f"--reject-file={tmp_path / 'r'}",
        "--no-progress",
    )
    assert "  calls: 3 created, 0 updated, 0 unchanged" in out
    assert "  legs: 4 created, 0 updated, 0 unchanged" in out
    numbers = (1, len(lines)) if first else (2, 3)
    for number in numbers:
        assert f"  line {number}: nested more than 64 levels deep" in err
    rejects = (tmp_path / "r").read_text()
    assert f"# line {numbers[0]}: nested more than 64 levels deep" in rejects
    assert Call.objects.filter(client=world.client_b).count() == 3


def test_a_nested_freeswitch_document_is_rejected_whole(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cdr.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    _out, err = _run(
        "cdr",
        str(path),
        "--format=freeswitch-json",
        "--client=client-b",
        f"--reject-file={tmp_path / 'r'}",
        "--no-progress",
    )
    assert "  line 1: nested more than 64 levels deep" in err
    assert Call.objects.count() == 0


def test_an_unknown_encoding_is_a_command_error(world: World, tmp_path: Path) -> None:
    for kind, extra in (("cdr", "--format=freeswitch-json"), ("queue-log", "--timezone=UTC")):
        with pytest.raises(CommandError, match="encoding: unknown text encoding 'nope'"):
            _run(kind, str(FIXTURES / "freeswitch.ndjson"), "--client=client-a", extra,
                 "--encoding=nope")  # fmt: skip
    assert ImportRun.objects.count() == 0

"""Every change sequence is drawn in the one lock order of `pactline.common.sequences`: the
client's audit chain head, then the counter. Checked per stream by recording which row is
read first, on PostgreSQL by running a writer that records its audit event before drawing
beside one that draws first (in opposite orders that is a deadlock), and in the source: no
module draws a sequence except through `pactline.audit.sequences`."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.audit.sequences import Stream, next_change_seq
from pactline.audit.services import audit_record
from pactline.audit.tests.test_chain import system_actor
from pactline.common.models import ChangeCounter

ROOT = Path(__file__).resolve().parents[3]


def _lock_of(sql: str) -> str | None:
    text = sql.lower()
    if not text.lstrip().startswith("select"):
        return None
    if "audit_audit" in text and "head" in text:
        return "audit head"
    if "changecounter" in text:
        return "change sequence"
    return None


@contextmanager
def recorded_locks() -> Iterator[list[str]]:
    """The audit head and counter rows in the order they are first read (the locking reads:
    FOR UPDATE on PostgreSQL)."""
    order: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        lock = _lock_of(sql)
        if lock is not None and lock not in order:
            order.append(lock)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield order


@pytest.mark.django_db
@pytest.mark.parametrize("stream", list(Stream))
def test_each_stream_takes_the_audit_head_before_its_counter(world: World, stream: Stream) -> None:
    with recorded_locks() as order, transaction.atomic():
        first = next_change_seq(world.client_a.id, stream)
    with transaction.atomic():
        second = next_change_seq(world.client_a.id, stream, 2)
        third = next_change_seq(world.client_a.id, stream)
    assert order == ["audit head", "change sequence"]
    assert (first, second, third) == (1, 2, 4)


def _draw_then_audit(client_id: int, stream: Stream) -> None:
    with transaction.atomic():
        next_change_seq(client_id, stream)
        audit_record(actor=system_actor(), action="test.drawn_first", client_id=client_id)


def _audit_then_draw(client_id: int, stream: Stream) -> None:
    with transaction.atomic():
        audit_record(actor=system_actor(), action="test.audited_first", client_id=client_id)
        next_change_seq(client_id, stream)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stream", list(Stream))
def test_drawing_and_auditing_in_either_order_at_once_do_not_deadlock_on_postgresql(
    world: World, stream: Stream
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    client_id = world.client_a.id
    _draw_then_audit(client_id, stream)  # the head and counter rows exist
    first_lock = {name: threading.Event() for name in ("draw", "audit")}
    errors: dict[str, str] = {}

    def run(name: str, other: str, service: Callable[[int, Stream], None]) -> None:
        def hold_first_lock(execute: Any, sql: str, params: Any, many: bool, ctx: Any) -> Any:
            result = execute(sql, params, many, ctx)
            if _lock_of(sql) and not first_lock[name].is_set():
                first_lock[name].set()
                first_lock[other].wait(timeout=1)  # the other holds its first lock too, or waits
            return result

        try:
            with connection.execute_wrapper(hold_first_lock):
                service(client_id, stream)
        except Exception as error:
            errors[name] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("draw", "audit", _draw_then_audit)),
        threading.Thread(target=run, args=("audit", "draw", _audit_then_draw)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == {}
    assert ChangeCounter.objects.get(client_id=client_id, stream=stream).value == 3
    assert AuditEvent.objects.filter(client_id=client_id).count() == 3


def _sources() -> Iterator[tuple[str, str]]:
    for folder in ("pactline", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/tests/" in relative:
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_only_the_audit_sequences_module_draws_a_sequence() -> None:
    """The counter's lock order holds only if every writer goes through
    `pactline.audit.sequences`: no other module constructs `ChangeSequence` or touches
    the counter table."""
    mechanism = {"pactline/common/sequences.py", "pactline/audit/sequences.py"}
    drawing = re.compile(r"\bChangeSequence\(|\bChangeCounter\b")
    offenders = [
        relative
        for relative, text in _sources()
        if relative not in mechanism | {"pactline/common/models.py"} and drawing.search(text)
    ]
    assert offenders == []
    assert any("next_change_seq" in text for _relative, text in _sources())

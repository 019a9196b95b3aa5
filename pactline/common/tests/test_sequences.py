"""The one change-sequence mechanism: per client and stream, numbers drawn in later
transactions are higher, a batch is contiguous, and (PostgreSQL) a writer that draws while
another holds the counter waits for its commit, so numbers become visible in order."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from conftest import World
from pactline.common.models import ChangeCounter
from pactline.common.sequences import ChangeSequence, Stream


def _draw(client_id: int, stream: Stream, count: int = 1) -> int:
    with transaction.atomic():
        return ChangeSequence(client_id, stream).take(count)


@pytest.mark.django_db
@pytest.mark.parametrize("stream", list(Stream))
def test_each_stream_draws_increasing_numbers_in_two_transactions(
    world: World, stream: Stream
) -> None:
    first = _draw(world.client_a.id, stream)
    second = _draw(world.client_a.id, stream)
    assert (first, second) == (1, 2)
    assert ChangeCounter.objects.get(client=world.client_a, stream=stream).value == 2


@pytest.mark.django_db
def test_streams_and_clients_count_on_their_own(world: World) -> None:
    assert _draw(world.client_a.id, Stream.CASES, 3) == 1
    assert _draw(world.client_a.id, Stream.EMAIL) == 1
    assert _draw(world.client_b.id, Stream.CASES) == 1
    assert _draw(world.client_a.id, Stream.CASES) == 4


@pytest.mark.django_db
def test_a_batch_is_contiguous_and_never_handed_out_again(world: World) -> None:
    with transaction.atomic():
        one = ChangeSequence(world.client_a.id, Stream.VOICE)
        other = ChangeSequence(world.client_a.id, Stream.VOICE)  # e.g. a nested service
        assert one.take(5) == 1
        assert other.take() == 6
        assert one.take(0) == 7  # nothing drawn: the next number to come
        assert one.take() == 7
    assert _draw(world.client_a.id, Stream.VOICE) == 8


@pytest.mark.django_db
def test_a_rolled_back_draw_leaves_no_gap(world: World) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        ChangeSequence(world.client_a.id, Stream.CHAT).take()
        1 / 0  # noqa: B018
    assert _draw(world.client_a.id, Stream.CHAT) == 1
    assert _draw(world.client_a.id, Stream.CHAT) == 2


@pytest.mark.django_db(transaction=True)
def test_drawing_outside_a_transaction_is_refused(world: World) -> None:
    with pytest.raises(RuntimeError, match="inside a transaction"):
        ChangeSequence(world.client_a.id, Stream.CASES)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stream", list(Stream))
def test_a_second_writer_waits_for_the_first_commit_on_postgresql(
    world: World, stream: Stream
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    client_id = world.client_a.id
    _draw(client_id, stream)  # the counter row exists
    holding, release = threading.Event(), threading.Event()
    committed: list[tuple[str, int]] = []

    def first() -> None:
        try:
            with transaction.atomic():
                number = ChangeSequence(client_id, stream).take()
                holding.set()
                release.wait(timeout=10)
            committed.append(("first", number))
        finally:
            connections.close_all()

    def second() -> None:
        try:
            holding.wait(timeout=10)
            with transaction.atomic():
                number = ChangeSequence(client_id, stream).take()
            committed.append(("second", number))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=10)
    time.sleep(0.3)  # the second writer is now waiting for the counter row
    assert committed == []
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert dict(committed) == {"first": 2, "second": 3}

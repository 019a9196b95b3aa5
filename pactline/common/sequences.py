"""The client's change sequences: one counter table (`ChangeCounter`), one way to draw.

Every fact that a cursor consumer reads (calls and agent states, cases, survey responses, chat,
social and email messages) carries a `change_seq` drawn here. A database sequence hands out
numbers in call order but commits in any order, so a consumer reading `change_seq > cursor`
could skip a row that commits late. Here the counter row of a client and stream is taken FOR
UPDATE and held until the writer's transaction commits (SQLite: the IMMEDIATE transaction
already serialises writers), so for one client and stream the numbers become visible in
increasing order. Writers of different clients never wait for each other.

Lock order. A transaction that writes a client's audit chain and draws a sequence holds two
row locks until it commits: the chain's head and the counter. Taken in opposite orders by two
writers they deadlock (one service records its audit event and then draws a number, another
draws and then records), so every writer takes them in one order:

1. the client's audit chain head (`pactline.audit.services.audit_chain_lock`),
2. the client's counters, of any stream.

Draw through `pactline.audit.sequences` (`change_sequence`, `next_change_seq`), which takes the
head first; this module sits below the audit log and cannot. As every writer holds the head
before its first counter, two counters of one client (chat then cases, email then cases) are
never waited for in opposite orders either. Taking the head or a counter again later in the
same transaction does not wait."""

from __future__ import annotations

from enum import StrEnum

from django.db import IntegrityError, connection, transaction

from pactline.common.models import ChangeCounter


class Stream(StrEnum):
    """The sequences, by the name their counter rows (and the consumers' cursors) store."""

    CASES = "cases"
    SURVEYS = "surveys"
    VOICE = "voice"  # calls and agent states
    CHAT = "chat"
    SOCIAL = "social"
    EMAIL = "email"


class ChangeSequence:
    """The client's counter for one stream, locked until the current transaction commits."""

    def __init__(self, client_id: int, stream: Stream) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the change sequence is drawn inside a transaction")
        self.client_id = client_id
        self.stream = stream
        counter = ChangeCounter.objects.select_for_update().filter(
            client_id=client_id, stream=stream
        )
        if counter.values_list("value", flat=True).first() is None:
            try:
                with transaction.atomic():
                    ChangeCounter.objects.create(client_id=client_id, stream=stream, value=0)
            except IntegrityError:
                pass  # created by a concurrent writer; the locking read below waits for it
            counter.values_list("value", flat=True).get()

    def take(self, count: int = 1) -> int:
        """Draw `count` numbers; returns the first. Never reused; gaps are harmless.

        The counter is incremented in the database, not from a value read earlier, so two
        `ChangeSequence` objects of one stream in one transaction never hand out a number
        twice. One statement (UPDATE … RETURNING, SQLite ≥ 3.35 and PostgreSQL) because the
        ORM's update returns no values."""
        table = connection.ops.quote_name(ChangeCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = value + %s "  # noqa: S608 (a model's table name)
                "WHERE client_id = %s AND stream = %s RETURNING value",
                [count, self.client_id, str(self.stream)],
            )
            (last,) = cursor.fetchone()
        return int(last) - count + 1

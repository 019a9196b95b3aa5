"""The client's change sequence for voice facts: an emulated database sequence whose numbers
become visible in increasing order, so consumers can read by cursor (see `models`).

`ChangeSequence(client_id)` takes the client's counter row FOR UPDATE (SQLite: the IMMEDIATE
transaction already serialises writers); `take(n)` then draws numbers. The lock is held until the
caller's transaction commits, so two writers of one client commit in the order of their
numbers. Writers of different clients do not wait for each other."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from pactline.channels.voice.models import ChangeCounter

STREAM = "voice"


class ChangeSequence:
    """The client's counter, locked until the current transaction commits."""

    def __init__(self, client_id: int) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the change sequence is drawn inside a transaction")
        self.client_id = client_id
        counter = ChangeCounter.objects.select_for_update().filter(
            client_id=client_id, stream=STREAM
        )
        value = counter.values_list("value", flat=True).first()
        if value is None:
            try:
                with transaction.atomic():
                    ChangeCounter.objects.create(client_id=client_id, stream=STREAM, value=0)
            except IntegrityError:
                pass  # created by a concurrent writer; the locking read below waits for it
            value = counter.values_list("value", flat=True).get()
        self.value: int = value

    def take(self, count: int) -> int:
        """Draw `count` numbers; returns the first. Never reused; gaps are harmless."""
        first = self.value + 1
        if count:
            self.value += count
            ChangeCounter.objects.filter(client_id=self.client_id, stream=STREAM).update(
                value=self.value
            )
        return first

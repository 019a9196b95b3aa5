"""Per-client change sequences that cursor consumers can trust.

A database sequence hands out numbers in call order but commits in any order, so a consumer
reading `change_seq > cursor` could skip a row that commits late. Here a counter row per client
and stream is taken FOR UPDATE and held until the writer's transaction commits (SQLite: the
IMMEDIATE transaction already serialises writers), so for one client numbers become visible in
increasing order. Writers of different clients never wait for each other."""

from __future__ import annotations

from django.db import IntegrityError, models, transaction


class ChangeSequence:
    """The client's counter for one stream, locked until the current transaction commits.

    `model` has `client_id`, `stream` and `value`, unique on client and stream."""

    def __init__(self, model: type[models.Model], client_id: int, stream: str) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the change sequence is drawn inside a transaction")
        self.model = model
        self.client_id = client_id
        self.stream = stream
        counter = model._default_manager.select_for_update().filter(
            client_id=client_id, stream=stream
        )
        value = counter.values_list("value", flat=True).first()
        if value is None:
            try:
                with transaction.atomic():
                    model._default_manager.create(client_id=client_id, stream=stream, value=0)
            except IntegrityError:
                pass  # created by a concurrent writer; the locking read below waits for it
            value = counter.values_list("value", flat=True).get()
        self.value: int = value

    def take(self, count: int = 1) -> int:
        """Draw `count` numbers; returns the first. Never reused; gaps are harmless."""
        first = self.value + 1
        if count:
            self.value += count
            self.model._default_manager.filter(client_id=self.client_id, stream=self.stream).update(
                value=self.value
            )
        return first

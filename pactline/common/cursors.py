"""Reading a client's change stream past a consumer's stored cursor (`models.StreamCursor`).

A batch is one transaction: the cursor row is locked (another consumer skips the client's
stream meanwhile: `SKIP LOCKED` on PostgreSQL), the rows past it are read in `change_seq`
order, the caller applies them, and the cursor moves to the last one read. A crash rolls all of
it back, so a batch is applied exactly once."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from pactline.common.models import StreamCursor


def cursor_locked[C: StreamCursor](model: type[C], client_id: int, stream: str) -> C | None:
    """The cursor row, created at 0 if new and locked; None when another consumer holds it.
    Call inside a transaction."""
    model._default_manager.get_or_create(
        client_id=client_id, stream=stream, defaults={"updated_at": timezone.now()}
    )
    return (
        model._default_manager.select_for_update(skip_locked=True)
        .filter(client_id=client_id, stream=stream)
        .first()
    )


def changes_past(
    source: type[Model], client_id: int, position: int, limit: int
) -> list[tuple[int, int]]:
    """(pk, change_seq) of up to `limit` rows of the client's `source` past `position`."""
    return list(
        source._default_manager.filter(client_id=client_id, change_seq__gt=position)
        .order_by("change_seq")
        .values_list("pk", "change_seq")[:limit]
    )


def cursor_move(cursor: StreamCursor, position: int) -> None:
    cursor.position = position
    cursor.updated_at = timezone.now()
    cursor.save(update_fields=["position", "updated_at"])

"""Base model pieces shared by every app."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class ClientOwned(models.Model):
    """A row that belongs to one client; `client_id` is never null (isolation and shard key)."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class StreamCursor(ClientOwned):
    """How far one consumer has read one client's change stream (DESIGN: derived data flows
    up by cursor). Each consuming app keeps its own table; `common.cursors` locks and moves it."""

    stream = models.CharField(max_length=20)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.stream}@{self.position}"


class AppendOnly(models.Model):
    """A record written once: saving a stored row again, or deleting one, raises TypeError.
    What changes is a new row (a reissue, a new version, the next event); queryset `update()`
    is left to the few services that fill in a delivery fact (emailed, superseded) on purpose."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only: write a new row")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} rows are append-only: they are never deleted")


class IdempotencyRecord(models.Model):
    """The first answer to a state-changing request that carried an idempotency key.

    Keyed by who sent it (`owner`: a user, an API token's digest, or an anonymous address) and
    the key, so two users' keys never meet. The row is inserted before the request runs (the
    unique constraint makes a concurrent twin wait for it) and completed with the answer
    afterwards: `status_code` is null while the first request is still running. The headers
    and body are encrypted at rest (`common.crypto`); rows expire (`idempotency.purge`)."""

    owner = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    headers = models.TextField(blank=True)
    body = models.BinaryField(default=b"")
    csp_nonce = models.CharField(max_length=100, blank=True)
    secret = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class ChangeCounter(ClientOwned):
    """The last number handed out by one of a client's change sequences, one row per stream
    (`pactline.common.sequences.Stream`). Drawn only through `pactline.common.sequences`,
    which holds this row's lock until the drawing transaction commits."""

    stream = models.CharField(max_length=20)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "stream"], name="common_counter_stream")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.stream}: {self.value}"

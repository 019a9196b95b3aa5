"""Reading and checking the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from pactline.audit.chain import GENESIS_HASH, ChainAnchor, audit_key, event_mac
from pactline.audit.models import AuditAnchor, AuditChainHead, AuditEvent

REMOVED_NEWEST = "the newest events were removed"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    chain: str = ""  # the broken chain: a client id or "provider"
    anchors: int = 0  # published and given anchors found in their chains

    @property
    def intact(self) -> bool:
        return not self.reason


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Every read inside sees the database at one moment while writers go on: PostgreSQL's
    REPEATABLE READ read-only transaction, SQLite's deferred read transaction (WAL). Inside
    a caller's transaction the caller's view is used as it is."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def _label(client_id: int | None) -> str:
    return "provider" if client_id is None else str(client_id)


def _published_anchors() -> list[ChainAnchor]:
    return [ChainAnchor(row.client_id, row.sequence, row.mac) for row in AuditAnchor.objects.all()]


def _chain_heads() -> dict[int | None, AuditChainHead]:
    return {head.client_id: head for head in AuditChainHead.objects.all()}


def _chain_events(client_id: int | None, upto: int) -> Iterator[AuditEvent]:
    events = AuditEvent.objects.filter(client_id=client_id, sequence__lte=upto)
    return events.order_by("sequence").iterator(chunk_size=2000)


def _verify_chain(
    client_id: int | None,
    head: AuditChainHead | None,
    anchors: list[ChainAnchor],
    key: bytes,
    checked: int,
) -> ChainReport:
    chain = _label(client_id)
    upto = head.sequence if head is not None else 0
    if head is None and AuditEvent.objects.filter(client_id=client_id).exists():
        return ChainReport(checked, None, "the chain's head row was removed", chain)
    wanted = {anchor.sequence: anchor for anchor in anchors}
    expected_prev = GENESIS_HASH
    position = 0
    last_id = 0
    for event in _chain_events(client_id, upto):
        position += 1
        if event.sequence != position or event.prev_hash != expected_prev:
            reason = "previous hash does not match: an earlier event was removed"
            return ChainReport(checked, event.pk, reason, chain)
        recomputed = event_mac(
            key,
            client_id=event.client_id,
            sequence=event.sequence,
            prev_hash=event.prev_hash,
            occurred_at=event.occurred_at,
            actor_label=event.actor_label,
            actor_user_id=event.actor_user_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            payload=event.payload,
        )
        if recomputed != event.hash:
            return ChainReport(checked, event.pk, "content does not match its MAC: edited", chain)
        anchor = wanted.get(event.sequence)
        if anchor is not None and not anchor.matches(event.hash):
            reason = f"differs from the published anchor {anchor}: the chain was rewritten"
            return ChainReport(checked, event.pk, reason, chain)
        expected_prev = event.hash
        checked += 1
        last_id = event.pk
    if head is not None and (position != head.sequence or head.last_hash != expected_prev):
        return ChainReport(checked, head.last_event_id or last_id, REMOVED_NEWEST, chain)
    beyond = [anchor for anchor in anchors if anchor.sequence > position]
    if beyond:
        reason = f"{REMOVED_NEWEST}: the published anchor {beyond[0]} is past the head"
        return ChainReport(checked, last_id, reason, chain)
    genesis = wanted.get(0)
    if genesis is not None and not genesis.matches(GENESIS_HASH):
        return ChainReport(checked, 0, f"the anchor {genesis} is not the chain's start", chain)
    return ChainReport(checked)


def audit_chain_verify(anchors: Iterable[ChainAnchor] = ()) -> ChainReport:
    """Walk every chain in order, inside one snapshot, and report the first link that does not
    hold: an edited or removed event, newest events removed (against the chain's head), or a
    chain that no longer holds an anchor published in a statement or report or given here."""
    key = audit_key()
    given = list(anchors)
    with read_snapshot():
        # Anchors, then the chains holding events, then their heads, then events up to each
        # head: outside a snapshot (inside a caller's transaction) what is written between
        # these reads is left for the next run instead of being taken for removed events.
        published = _published_anchors()
        written = set(AuditEvent.objects.order_by().values_list("client_id", flat=True).distinct())
        heads = _chain_heads()
        every = [*given, *published]
        chains: set[int | None] = set(heads) | {anchor.client_id for anchor in every}
        chains |= written
        checked = 0
        for client_id in sorted(chains, key=lambda c: -1 if c is None else c):
            mine = [anchor for anchor in every if anchor.client_id == client_id]
            report = _verify_chain(client_id, heads.get(client_id), mine, key, checked)
            if not report.intact:
                return report
            checked = report.checked
    return ChainReport(checked, anchors=len(every))


def audit_chain_head(client_id: int | None) -> ChainAnchor:
    """The chain's committed head as an anchor (the genesis hash for an empty chain)."""
    head = AuditChainHead.objects.filter(client_id=client_id).first()
    if head is None:
        return ChainAnchor(client_id, 0, GENESIS_HASH)
    return ChainAnchor(client_id, head.sequence, head.last_hash)


def audit_event_list(*, client_ids: list[int] | None) -> QuerySet[AuditEvent]:
    """Events, newest first; `client_ids=None` means every client (provider-wide readers)."""
    events = AuditEvent.objects.order_by("-id")
    if client_ids is not None:
        events = events.filter(client_id__in=client_ids)
    return events

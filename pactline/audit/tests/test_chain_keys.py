"""The keyed chain per client: what someone with write access to the database but without
`PACTLINE_AUDIT_KEY` cannot do unnoticed, and what only a published anchor catches."""

from __future__ import annotations

import hashlib
import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pactline.audit.chain import GENESIS_HASH, ChainAnchor, event_mac
from pactline.audit.models import AuditAnchor, AuditChainHead, AuditEvent
from pactline.audit.selectors import REMOVED_NEWEST, audit_chain_head, audit_chain_verify
from pactline.audit.services import audit_anchor_publish, audit_record
from pactline.audit.tests.test_chain import system_actor

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
rechain_migration = importlib.import_module("pactline.audit.migrations.0002_keyed_chain_per_client")


def _events(client_id: int | None, count: int, first: int = 0) -> list[AuditEvent]:
    actor = system_actor("test")
    return [
        audit_record(
            actor=actor,
            action="case.opened",
            client_id=client_id,
            payload={"n": first + n, "名": "华"},
            at=AT + timedelta(minutes=first + n),
        )
        for n in range(count)
    ]


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _unkeyed(event: AuditEvent, prev: str) -> str:
    """The chain's former hash: SHA-256 with no secret, which anyone can recompute."""
    material = json.dumps(
        [
            prev,
            event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            event.actor_label,
            event.actor_user_id,
            event.client_id,
            event.action,
            event.object_type,
            event.object_id,
            event.payload,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _rechain_without_the_key(
    client_id: int | None, edited: AuditEvent, guess: bytes | None
) -> None:
    """What an intruder with the database but not the key does after editing a row: recompute
    the MACs from the edited event on (with a guessed key, or the old unkeyed hash) and move
    the head."""
    prev = edited.prev_hash
    chain = AuditEvent.objects.filter(client_id=client_id, sequence__gte=edited.sequence)
    for event in chain.order_by("sequence"):
        if guess is None:
            digest = _unkeyed(event, prev)
        else:
            digest = event_mac(
                guess,
                client_id=event.client_id,
                sequence=event.sequence,
                prev_hash=prev,
                occurred_at=event.occurred_at,
                actor_label=event.actor_label,
                actor_user_id=event.actor_user_id,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                payload=event.payload,
            )
        _sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, event.pk],
        )
        prev = digest
    AuditChainHead.objects.filter(client_id=client_id).update(last_hash=prev)


def test_each_client_has_its_own_chain_and_head() -> None:
    a = _events(7, 2)
    b = _events(8, 1)
    provider = _events(None, 2)
    assert [e.sequence for e in a] == [1, 2] and a[0].prev_hash == GENESIS_HASH
    assert [e.sequence for e in b] == [1] and b[0].prev_hash == GENESIS_HASH
    assert [e.sequence for e in provider] == [1, 2]
    assert provider[1].prev_hash == provider[0].hash
    heads = {
        h.client_id: (h.sequence, h.last_hash, h.last_event_id)
        for h in AuditChainHead.objects.all()
    }
    assert heads == {
        7: (2, a[1].hash, a[1].pk),
        8: (1, b[0].hash, b[0].pk),
        None: (2, provider[1].hash, provider[1].pk),
    }
    assert audit_chain_head(7) == ChainAnchor(7, 2, a[1].hash)
    assert audit_chain_head(9) == ChainAnchor(9, 0, GENESIS_HASH)
    report = audit_chain_verify()
    assert (report.intact, report.checked) == (True, 5)


def test_the_mac_depends_on_the_key(settings: Any) -> None:
    (event,) = _events(7, 1)
    settings.PACTLINE_AUDIT_KEY = "another key"
    report = audit_chain_verify()
    assert (report.broken_at, report.chain) == (event.pk, "7")
    assert "edited" in report.reason


def test_two_clients_writes_touch_only_their_own_head_row() -> None:
    _events(7, 1)
    _events(8, 1)
    head_a = AuditChainHead.objects.get(client_id=7)
    touched: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "audit_auditchainhead" in sql:
            touched.append((sql.split()[0], params[-1]))  # the chain read, the row written
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        _events(7, 2, first=1)
    assert touched == [("SELECT", 7), ("UPDATE", head_a.pk), ("SELECT", 7), ("UPDATE", head_a.pk)]
    assert AuditChainHead.objects.get(client_id=8).sequence == 1
    assert AuditChainHead.objects.get(client_id=7).sequence == 3


TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")  # as stored
FIELDS: dict[str, Any] = {
    "actor_label": st.text(TEXT, min_size=1, max_size=20),
    "actor_user_id": st.integers(min_value=1, max_value=10**6),
    "action": st.from_regex(r"\A[a-z]{1,8}\.[a-z]{1,8}\Z"),
    "object_id": st.text(alphabet="0123456789", min_size=1, max_size=6),
    "payload": st.dictionaries(st.text(TEXT, max_size=5), st.integers(), min_size=1, max_size=3),
    "occurred_at": st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edit=st.sampled_from(sorted(FIELDS)).flatmap(lambda f: st.tuples(st.just(f), FIELDS[f])),
    position=st.integers(min_value=0, max_value=3),
    guess=st.sampled_from([None, b"", b"pactline", b"secret"]),
)
def test_editing_any_field_and_recomputing_the_chain_is_detected(
    edit: tuple[str, Any], position: int, guess: bytes | None
) -> None:
    field, value = edit
    with transaction.atomic():
        events = _events(7, 4)
        _events(8, 1)
        target = events[position]
        AuditEvent.objects.filter(pk=target.pk).update(**{field: value})
        if AuditEvent.objects.filter(pk=target.pk, **{field: getattr(target, field)}).exists():
            transaction.set_rollback(True)
            return  # the drawn value is the one already there: nothing was edited
        _rechain_without_the_key(7, target, guess)
        report = audit_chain_verify()
        assert (report.broken_at, report.chain) == (target.pk, "7")
        assert report.reason == "content does not match its MAC: edited"
        assert report.checked == position  # the links before it
        transaction.set_rollback(True)


def test_truncating_and_rolling_the_head_back_is_caught_by_a_published_anchor() -> None:
    events = _events(7, 4)
    anchor = audit_anchor_publish(
        anchor=audit_chain_head(7), published_in="statement monthly 2026-10-01 r1"
    )
    assert anchor == ChainAnchor(7, 4, events[3].hash)
    # The intruder removes the two newest events and sets the head to the second one.
    _sql("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[2].pk, events[3].pk])
    AuditChainHead.objects.filter(client_id=7).update(
        sequence=2, last_hash=events[1].hash, last_event_id=events[1].pk
    )
    report = audit_chain_verify()
    assert report.chain == "7" and report.reason.startswith(REMOVED_NEWEST)
    assert str(anchor) in report.reason
    # Removing the stored anchor too leaves only the one printed on the statement.
    AuditAnchor.objects.all().delete()
    assert audit_chain_verify().intact  # without an anchor, a clean truncation cannot be seen
    with pytest.raises(CommandError, match=rf"chain 7 .*{REMOVED_NEWEST}"):
        call_command("audit", "verify", "--anchor", str(anchor))
    shortened = f"7:4:{events[3].hash[:16]}"
    with pytest.raises(CommandError, match=REMOVED_NEWEST):
        call_command("audit", "verify", "--anchor", shortened)


def test_an_anchor_with_another_mac_at_its_position_is_reported() -> None:
    events = _events(7, 3)
    forged = ChainAnchor(7, 2, "ab" * 32)
    report = audit_chain_verify([forged])
    assert (report.broken_at, report.chain) == (events[1].pk, "7")
    assert "differs from the published anchor" in report.reason


def test_anchors_the_chain_still_holds_verify(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(7, 3)
    _events(None, 1)
    audit_anchor_publish(anchor=audit_chain_head(7), published_in="report SLA 2026-10-01 v1")
    _events(7, 2, first=3)  # the chain grows past the anchor: still holds it
    call_command(
        "audit",
        "verify",
        "--anchor",
        f"7:2:{events[1].hash}",
        "--anchor",
        "provider:1:" + (AuditEvent.objects.get(client_id=None).hash[:20]),
    )
    assert capsys.readouterr().out.strip() == "audit log intact: 6 events, 3 anchors found"


@pytest.mark.parametrize(
    "text", ["7:2", "seven:2:" + "a" * 64, "7:2:abc", "7:-1:" + "a" * 64, "7:2:" + "g" * 64]
)
def test_a_malformed_anchor_is_refused_by_name(text: str) -> None:
    _events(7, 1)
    with pytest.raises(CommandError, match=r"^--anchor: .* is not an anchor"):
        call_command("audit", "verify", "--anchor", text)


def test_a_removed_head_row_is_reported() -> None:
    _events(7, 2)
    AuditChainHead.objects.filter(client_id=7).delete()
    report = audit_chain_verify()
    assert (report.chain, report.reason) == ("7", "the chain's head row was removed")


def _as_before_the_upgrade() -> list[tuple[int, str, str, int]]:
    """Rewrite the log as the unkeyed single chain it was, and drop the heads."""
    keyed = list(
        AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", "sequence")
    )
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id"):
        digest = _unkeyed(event, prev)
        _sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, sequence = %s WHERE id = %s",
            [prev, digest, -event.pk, event.pk],
        )
        prev = digest
    AuditChainHead.objects.all().delete()
    return keyed


def test_the_upgrade_rechains_existing_events_per_client_with_the_key() -> None:
    _events(7, 2)
    _events(None, 1)
    _events(8, 1)
    _events(7, 1, first=2)
    keyed = _as_before_the_upgrade()
    rechain_migration.rechain(apps, None)
    after = list(
        AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", "sequence")
    )
    assert after == keyed  # the same MACs as if the events had been written keyed
    assert [e[3] for e in after] == [1, 2, 1, 1, 3]
    assert audit_chain_verify().intact
    assert AuditChainHead.objects.get(client_id=7).sequence == 3


def test_the_upgrade_refuses_to_rechain_a_log_that_does_not_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _events(7, 3)
    _as_before_the_upgrade()
    _sql("UPDATE audit_auditevent SET actor_label = 'x' WHERE id = %s", [events[1].pk])
    with pytest.raises(RuntimeError, match=f"does not verify at event #{events[1].pk}"):
        rechain_migration.rechain(apps, None)
    monkeypatch.setenv("PACTLINE_AUDIT_RECHAIN_BROKEN", "1")
    rechain_migration.rechain(apps, None)
    assert audit_chain_verify().intact

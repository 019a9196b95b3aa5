"""The lock order of docs/architecture.md: a client's audit chain head before its change
sequence counter, in every service that takes both (case_open records the audit event before
drawing the sequence, contact_merge after). Checked by recording which of the two rows each
service reads first on every database, and on PostgreSQL by running the two at once with each
one waiting for the other after its first lock: in opposite orders that is a deadlock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, connections

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.contacts import contact_find_or_create, contact_merge
from pactline.cases.models import Case, Contact
from pactline.cases.services import case_open
from pactline.cases.surveys import survey_response_record
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


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
    """The audit head and change counter rows in the order the service first reads them (the
    locking reads: FOR UPDATE on PostgreSQL)."""
    order: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        lock = _lock_of(sql)
        if lock is not None and lock not in order:
            order.append(lock)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield order


def _contacts(client: Client) -> tuple[Contact, Contact]:
    actor = system_actor()
    keep = contact_find_or_create(actor=actor, client=client, phone="+12125550175").contact
    duplicate = contact_find_or_create(actor=actor, client=client, email="p@example.com").contact
    return keep, duplicate


def _open(client: Client, contact: Contact | None = None) -> Case:
    return case_open(
        actor=system_actor(),
        client=client,
        channel="phone",
        priority="normal",
        contact=contact,
        at=NOW,
        now=NOW,
    )


@pytest.mark.django_db
def test_case_open_and_contact_merge_take_the_audit_head_before_the_sequence(
    world: World,
) -> None:
    client = world.client_a
    load(client, "general-outsourcing")
    keep, duplicate = _contacts(client)
    with recorded_locks() as opening:
        case = _open(client, duplicate)
    with recorded_locks() as merging:
        contact_merge(actor=system_actor(), keep=keep, duplicate=duplicate, now=NOW)
    with recorded_locks() as surveying:
        survey_response_record(actor=system_actor(), case=case, external_id="s-1", csat=5, now=NOW)
    assert opening == ["audit head", "change sequence"]
    assert merging == ["audit head", "change sequence"]
    assert surveying == ["audit head", "change sequence"]


@pytest.mark.django_db(transaction=True)
def test_case_open_and_contact_merge_at_once_do_not_deadlock_on_postgresql(
    world: World,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    client = world.client_a
    load(client, "general-outsourcing")
    keep, duplicate = _contacts(client)
    _open(client, duplicate)
    first_lock = {name: threading.Event() for name in ("open", "merge")}
    errors: dict[str, str] = {}

    def run(name: str, other: str, service: Callable[[], object]) -> None:
        def hold_first_lock(execute: Any, sql: str, params: Any, many: bool, ctx: Any) -> Any:
            result = execute(sql, params, many, ctx)
            if _lock_of(sql) and not first_lock[name].is_set():
                first_lock[name].set()
                first_lock[other].wait(timeout=3)  # the other holds its first lock too, or waits
            return result

        try:
            with connection.execute_wrapper(hold_first_lock):
                service()
        except Exception as error:
            errors[name] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("open", "merge", lambda: _open(client))),
        threading.Thread(
            target=run,
            args=(
                "merge",
                "open",
                lambda: contact_merge(actor=system_actor(), keep=keep, duplicate=duplicate),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == {}
    assert Case.objects.filter(client=client).count() == 2
    assert Case.objects.filter(contact=keep).count() == 1
    assert Contact.objects.get(pk=duplicate.pk).merged_into_id == keep.pk

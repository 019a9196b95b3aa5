"""The voice change sequence keeps the lock order of docs/architecture.md: the client's audit
chain head before the counter."""

from __future__ import annotations

import pytest
from django.db import transaction

from conftest import World
from pactline.audit.sequences import Stream, next_change_seq
from pactline.cases.tests.test_lock_order import recorded_locks

pytestmark = pytest.mark.django_db


def test_the_voice_sequence_takes_the_audit_head_first(world: World) -> None:
    with recorded_locks() as order, transaction.atomic():
        next_change_seq(world.client_a.id, Stream.VOICE)
    assert order == ["audit head", "change sequence"]

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pactline.audit.models import AuditEvent
from pactline.audit.selectors import audit_chain_verify
from pactline.audit.services import GENESIS_HASH, audit_record

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Someone:
    user_id: int | None = None
    audit_label: str = "system:test"


def system_actor(label: str = "test") -> Someone:
    return Someone(audit_label=f"system:{label}")


def _three_events() -> list[AuditEvent]:
    actor = system_actor("test")
    return [
        audit_record(
            actor=actor, action="client.created", client_id=7, payload={"n": n, "名": "华"}
        )
        for n in range(3)
    ]


def test_events_form_a_chain_from_genesis() -> None:
    first, second, third = _three_events()
    assert first.prev_hash == GENESIS_HASH
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit_chain_verify().intact
    assert audit_chain_verify().checked == 3


def test_verify_command_reports_an_intact_log(capsys: pytest.CaptureFixture[str]) -> None:
    _three_events()
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == "audit log intact: 3 events, 0 anchors found"


def test_an_edited_row_is_the_first_broken_link() -> None:
    _first, second, _third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s",
            ["someone else", second.pk],
        )
    report = audit_chain_verify()
    assert report.broken_at == second.pk
    assert report.checked == 1
    assert "edited" in report.reason


def test_an_edited_payload_is_detected() -> None:
    first, _second, _third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"n": 99}', first.pk]
        )
    assert audit_chain_verify().broken_at == first.pk


def test_a_deleted_row_breaks_the_next_link() -> None:
    _first, second, third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    report = audit_chain_verify()
    assert report.broken_at == third.pk
    assert "removed" in report.reason


def test_removing_the_newest_row_is_detected() -> None:
    _first, _second, third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [third.pk])
    report = audit_chain_verify()
    assert report.broken_at == third.pk
    assert report.reason == "the newest events were removed"


def test_verify_command_fails_on_a_broken_chain() -> None:
    _first, second, _third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x.y' WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"broken in chain 7 at event #{second.pk}: content"):
        call_command("audit", "verify")


def test_events_cannot_be_changed_or_deleted_through_the_model() -> None:
    (event, *_rest) = _three_events()
    event.action = "client.deleted"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    assert audit_chain_verify().intact


def test_action_codes_must_be_stable_dotted_codes() -> None:
    with pytest.raises(ValueError, match="dotted"):
        audit_record(actor=system_actor(), action="Client Created")
    assert AuditEvent.objects.count() == 0

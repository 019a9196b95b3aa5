"""The storage choke point: card data is redacted by the model fields themselves, whichever
way a row is written (save, bulk_create, update), and the saved instance holds what was
stored. The audit chain hashes the redacted payload, so it still verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pactline.audit.models import AuditEvent
from pactline.audit.selectors import audit_chain_verify
from pactline.audit.services import audit_record
from pactline.cases.models import Case, Contact, EntryKind, TimelineEntry
from pactline.cases.services import case_note, case_open
from pactline.cases.tests.fixtures import northwind
from pactline.common.fields import redact_json
from pactline.tenancy.access import system_actor

pytestmark = pytest.mark.django_db

SYSTEM = system_actor("test")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CARD = "4111 1111 1111 1111 737"


def _case() -> Case:
    return case_open(
        actor=SYSTEM,
        client=northwind(),
        channel="phone",
        priority="normal",
        subject=f"order 55 {CARD}",
        at=NOW,
        now=NOW,
    )


def test_a_saved_row_and_its_instance_hold_the_redacted_text() -> None:
    case = _case()
    assert case.subject == "order 55 [card …1111] [security code removed]"
    assert Case.objects.get(pk=case.pk).subject == case.subject


def test_update_and_bulk_create_redact_too() -> None:
    case = _case()
    Case.objects.filter(pk=case.pk).update(subject="CVV number: 737")
    assert Case.objects.get(pk=case.pk).subject == "CVV number: [security code removed]"
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                client_id=case.client_id,
                case=case,
                seq=999,
                at=NOW,
                kind=EntryKind.NOTE,
                author_kind="agent",
                body=f"卡号 {CARD}",
                payload={"lines": [f"cvv737 {CARD}"], "caller": "+8613800138000"},
            )
        ]
    )
    entry = TimelineEntry.objects.get(case=case, seq=999)
    assert entry.body == "卡号 [card …1111] [security code removed]"
    assert entry.payload == {
        "lines": ["cvv[security code removed] [card …1111] [security code removed]"],
        "caller": "+8613800138000",  # a whole E.164 number is a phone number, kept
    }


def test_a_note_and_its_payload_are_stored_redacted() -> None:
    case = case_note(
        actor=SYSTEM, case=_case(), body=f"card {CARD}", payload={"said": CARD}, now=NOW
    )
    entry = TimelineEntry.objects.filter(case=case).order_by("seq").last()
    assert entry is not None
    assert (entry.body, entry.payload["said"]) == (
        "card [card …1111] [security code removed]",
        "[card …1111] [security code removed]",
    )


def test_a_line_too_long_once_masked_is_cut_not_refused() -> None:
    case = _case()
    Case.objects.filter(pk=case.pk).update(subject="cvv 737 " * 37 + "x" * 4)  # 300 chars
    stored = Case.objects.get(pk=case.pk).subject
    assert len(stored) == 300 and stored.endswith("…")
    assert "737" not in stored


def test_encrypted_personal_text_is_redacted_before_it_is_encrypted() -> None:
    client = northwind()
    contact = Contact.objects.create(
        client=client, name=f"Ann {CARD}", created_at=NOW, updated_at=NOW
    )
    assert Contact.objects.get(pk=contact.pk).name == "Ann [card …1111] [security code removed]"


def test_the_audit_chain_hashes_what_it_stores() -> None:
    client = northwind()
    event = audit_record(
        actor=SYSTEM, action="case.note_added", client_id=client.id, payload={"text": CARD}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload == {"text": "[card …1111] [security code removed]"}
    assert audit_chain_verify().intact
    assert redact_json(stored.payload) == stored.payload

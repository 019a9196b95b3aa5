from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from pytest_django.fixtures import Settings

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.cases.contacts import contact_find_or_create, contact_merge, contacts_rotate_keys
from pactline.cases.models import Contact, ContactKey
from pactline.common.crypto import field_cipher
from pactline.common.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _raw(contact: Contact) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phones, emails FROM cases_contact WHERE id = %s", [contact.pk])
        row = cursor.fetchone()
    assert row is not None
    return row


def test_one_contact_per_phone_in_any_format(world: World) -> None:
    agent = world.client_a_agent.actor
    first = contact_find_or_create(
        actor=agent, client=world.client_a, phone="+86 21 5555 0101", name="王磊"
    )
    again = contact_find_or_create(
        actor=agent, client=world.client_a, phone="021-5555-0101", region="CN"
    )
    assert first.created and not again.created
    assert again.contact.pk == first.contact.pk
    assert again.contact.phone_list == ["+862155550101"]
    assert Contact.objects.count() == 1


def test_email_is_matched_case_insensitively_and_added_to_a_phone_contact(world: World) -> None:
    agent = world.client_a_agent.actor
    by_phone = contact_find_or_create(actor=agent, client=world.client_a, phone="+1 212 555 0175")
    both = contact_find_or_create(
        actor=agent, client=world.client_a, phone="+12125550175", email="Priya.Raman@Example.com"
    )
    by_email = contact_find_or_create(
        actor=agent, client=world.client_a, email="priya.raman@example.com"
    )
    assert by_phone.contact.pk == both.contact.pk == by_email.contact.pk
    assert by_email.contact.email_list == ["priya.raman@example.com"]
    assert ContactKey.objects.count() == 2


def test_personal_fields_are_encrypted_at_rest(world: World) -> None:
    found = contact_find_or_create(
        actor=world.client_a_agent.actor,
        client=world.client_a,
        phone="+12125550175",
        email="priya@example.com",
        name="Priya Raman",
    )
    raw = _raw(found.contact)
    assert all(value.startswith("gAAAAA") for value in raw)
    assert "Priya" not in "".join(raw) and "5550175" not in "".join(raw)
    assert Contact.objects.get(pk=found.contact.pk).name == "Priya Raman"


def test_contacts_are_per_client(world: World) -> None:
    a = contact_find_or_create(
        actor=world.supervisor.actor, client=world.client_a, email="x@example.com"
    )
    b = contact_find_or_create(
        actor=world.supervisor.actor, client=world.client_b, email="x@example.com"
    )
    assert a.contact.pk != b.contact.pk
    with pytest.raises(NotFound):
        contact_find_or_create(
            actor=world.client_b_agent.actor, client=world.client_a, email="y@example.com"
        )
    with pytest.raises(Forbidden):
        contact_find_or_create(
            actor=world.client_a_viewer.actor, client=world.client_a, email="y@example.com"
        )


@pytest.mark.parametrize(
    ("phone", "email", "path"),
    [("12", None, "phone"), (None, "nobody", "email"), (None, None, "phone")],
)
def test_bad_identifiers_are_refused(
    world: World, phone: str | None, email: str | None, path: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        contact_find_or_create(
            actor=world.client_a_agent.actor, client=world.client_a, phone=phone, email=email
        )
    assert [e.path for e in raised.value.errors] == [path]
    assert Contact.objects.count() == 0


def test_merge_moves_identifiers_and_later_lookups_find_the_survivor(world: World) -> None:
    agent = world.client_a_agent.actor
    keep = contact_find_or_create(actor=agent, client=world.client_a, phone="+12125550175").contact
    duplicate = contact_find_or_create(
        actor=agent, client=world.client_a, email="p@example.com"
    ).contact
    merged = contact_merge(actor=agent, keep=keep, duplicate=duplicate)
    assert merged.phone_list == ["+12125550175"] and merged.email_list == ["p@example.com"]
    assert (
        contact_find_or_create(actor=agent, client=world.client_a, email="p@example.com").contact.pk
        == keep.pk
    )
    assert Contact.objects.get(pk=duplicate.pk).merged_into_id == keep.pk
    assert AuditEvent.objects.filter(action="contact.merged").count() == 1


def test_key_rotation_re_encrypts_with_the_newest_key(world: World, settings: Settings) -> None:
    found = contact_find_or_create(
        actor=world.client_a_agent.actor,
        client=world.client_a,
        email="r@example.com",
        name="Rotated",
    )
    old_token = _raw(found.contact)[0]
    new_key = Fernet.generate_key().decode()
    settings.PACTLINE_FIELD_KEYS = [new_key, *settings.PACTLINE_FIELD_KEYS]
    field_cipher.cache_clear()
    try:
        assert contacts_rotate_keys() == 1
        rotated = _raw(found.contact)[0]
        assert rotated != old_token
        assert Fernet(new_key.encode()).decrypt(rotated.encode()) == b"Rotated"
        settings.PACTLINE_FIELD_KEYS = [new_key]
        field_cipher.cache_clear()
        assert Contact.objects.get(pk=found.contact.pk).name == "Rotated"
    finally:
        field_cipher.cache_clear()

"""End customers: find or create by phone or email, find many by phone at once, merge, and
re-encrypt on key rotation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.sequences import Stream, next_change_seq
from pactline.audit.services import audit_record
from pactline.cases.models import (
    Case,
    Contact,
    ContactKey,
    ContactKeyKind,
)
from pactline.common.crypto import blind_index, blind_indexer, rotate_text
from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.sql import key_in
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """E.164 (`+8621…`); a national number needs `region` (ISO country code)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(
            [FieldError("phone", _("'%(value)s' is not a phone number") % {"value": raw})]
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(
            [FieldError("phone", _("'%(value)s' is not a phone number") % {"value": raw})]
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    value = raw.strip().lower()
    local, at, domain = value.partition("@")
    if not (local and at and "." in domain):
        raise ValidationFailed(
            [FieldError("email", _("'%(value)s' is not an email address") % {"value": raw})]
        )
    return value


@dataclass(frozen=True)
class Found:
    contact: Contact
    created: bool


def _keys(phone: str | None, email: str | None) -> list[tuple[str, str]]:
    keys = []
    if phone:
        keys.append((ContactKeyKind.PHONE.value, blind_index("phone", phone)))
    if email:
        keys.append((ContactKeyKind.EMAIL.value, blind_index("email", email)))
    return keys


def _lookup(client: Client, keys: list[tuple[str, str]]) -> Contact | None:
    for kind, digest in keys:
        key = (
            ContactKey.objects.select_related("contact")
            .filter(client=client, kind=kind, digest=digest)
            .first()
        )
        if key is not None:
            contact = key.contact
            while contact.merged_into_id is not None:
                contact = Contact.objects.get(pk=contact.merged_into_id)
            return contact
    return None


def contacts_by_phones(*, client_id: int, phones: Iterable[str]) -> dict[str, int]:
    """The client's contacts with these E.164 numbers: number → id of the surviving contact
    (merged ones resolved). One query on the blind index for the whole set, none when empty:
    what a bulk import calls once per batch. Never decrypts; never another client's."""
    index = blind_indexer("phone")
    digests = {index(phone): phone for phone in set(phones) if phone}
    if not digests:
        return {}
    found = ContactKey.objects.filter(
        key_in("digest", digests), client_id=client_id, kind=ContactKeyKind.PHONE
    ).values_list("digest", "contact_id", "contact__merged_into_id")
    out: dict[str, int] = {}
    for digest, contact_id, merged_into in found:
        survivor = merged_into or contact_id
        if merged_into is not None:  # keys move on merge, so rare; follow the chain
            while (nxt := _merged_into(survivor)) is not None:
                survivor = nxt
        out[digests[digest]] = survivor
    return out


def _merged_into(contact_id: int) -> int | None:
    return Contact.objects.filter(pk=contact_id).values_list("merged_into_id", flat=True).first()


def _add_line(existing: str, value: str) -> str:
    lines = [line for line in existing.splitlines() if line]
    return "\n".join([*lines, value] if value not in lines else lines)


@transaction.atomic
def contact_find_or_create(
    *,
    actor: Actor,
    client: Client,
    phone: str | None = None,
    email: str | None = None,
    name: str = "",
    region: str | None = None,
    now: datetime | None = None,
) -> Found:
    """The client's contact with this phone or email, created if there is none; a phone or
    email not yet known is added to the contact found by the other."""
    require(actor, Permission.CASE_WORK, client.id)
    if not phone and not email:
        raise ValidationFailed(
            [FieldError("phone", _("a phone number or an email address is needed"))]
        )
    e164 = normalise_phone(phone, region=region) if phone else None
    address = normalise_email(email) if email else None
    keys = _keys(e164, address)
    now = now or timezone.now()
    contact = _lookup(client, keys)
    created = contact is None
    if contact is None:
        contact = Contact.objects.create(
            client=client,
            name=name,
            phones=e164 or "",
            emails=address or "",
            created_at=now,
            updated_at=now,
        )
        audit_record(
            actor=actor, action="contact.created", client_id=client.id, obj=contact, at=now
        )
    else:
        contact.phones = _add_line(contact.phones, e164) if e164 else contact.phones
        contact.emails = _add_line(contact.emails, address) if address else contact.emails
        contact.name = contact.name or name
        contact.updated_at = now
        contact.save(update_fields=["phones", "emails", "name", "updated_at"])
    for kind, digest in keys:
        try:
            with transaction.atomic():
                ContactKey.objects.get_or_create(
                    client=client, kind=kind, digest=digest, defaults={"contact": contact}
                )
        except IntegrityError:
            pass  # another contact already owns this key; the contact found by it wins
    return Found(contact, created)


@transaction.atomic
def contact_merge(
    *, actor: Actor, keep: Contact, duplicate: Contact, now: datetime | None = None
) -> Contact:
    """Fold `duplicate` into `keep`: its phones, emails, keys and cases move; it stays as a
    pointer (`merged_into`) so old references resolve."""
    require(actor, Permission.CASE_WORK, keep.client_id)
    if keep.client_id != duplicate.client_id or keep.pk == duplicate.pk:
        raise ValidationFailed(
            [FieldError("duplicate", _("only two different contacts of one client can be merged"))]
        )
    now = now or timezone.now()
    for phone in duplicate.phone_list:
        keep.phones = _add_line(keep.phones, phone)
    for email in duplicate.email_list:
        keep.emails = _add_line(keep.emails, email)
    keep.name = keep.name or duplicate.name
    keep.external_id = keep.external_id or duplicate.external_id
    keep.updated_at = now
    keep.save(update_fields=["phones", "emails", "name", "external_id", "updated_at"])
    ContactKey.objects.filter(contact=duplicate).update(contact=keep)
    moved_ids = list(Case.objects.filter(contact=duplicate).values_list("pk", flat=True))
    first = next_change_seq(keep.client_id, Stream.CASES, len(moved_ids))
    for offset, case_id in enumerate(moved_ids):  # a new contact can change their FCR repeats
        Case.objects.filter(pk=case_id).update(contact=keep, change_seq=first + offset)
    moved = len(moved_ids)
    duplicate.merged_into = keep
    duplicate.updated_at = now
    duplicate.save(update_fields=["merged_into", "updated_at"])
    audit_record(
        actor=actor,
        action="contact.merged",
        client_id=keep.client_id,
        obj=keep,
        payload={"duplicate": duplicate.pk, "cases_moved": moved},
        at=now,
    )
    return keep


def contacts_rotate_keys(*, batch: int = 500) -> int:
    """Re-encrypt every contact's personal fields with the newest key; returns rows rewritten."""
    from django.db import connection

    table = Contact._meta.db_table
    rewritten = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, phones, emails FROM {table} ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
    for start in range(0, len(rows), batch):
        with transaction.atomic(), connection.cursor() as cursor:
            for pk, *tokens in rows[start : start + batch]:
                fresh = [rotate_text(token) if token else token for token in tokens]
                cursor.execute(
                    f"UPDATE {table} SET name = %s, phones = %s, emails = %s WHERE id = %s",  # noqa: S608
                    [*fresh, pk],
                )
                rewritten += 1
    return rewritten

"""Reads for email: who owns a support address, which case a message belongs to, a case's mail.

The support addresses are those of the agreement version in force for each active client
(`channels.email.addresses`), compared case-insensitively. Nothing is cached: an agreement
activated a second ago already routes mail."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.db.models import QuerySet

from pactline.agreements.selectors import agreement_version_in_force
from pactline.cases.models import Case
from pactline.channels.email.models import Direction, EmailMessage, QuarantinedEmail
from pactline.channels.email.parsing import ParsedEmail
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
    is_provider_admin,
    visible_clients,
)
from pactline.tenancy.models import Client

# The token Pactline puts in reply subjects; digits capped so a forged token cannot overflow.
CASE_TOKEN = re.compile(r"\[\s*Case\s*#\s*(\d{1,18})\s*\]", re.IGNORECASE)
_THREAD_IDS = 100  # the newest references are enough to find the thread


def email_addresses_of(document: dict[str, Any]) -> list[str]:
    """The email channel's support addresses in an agreement document, lower-case, in order."""
    channel = (document.get("channels") or {}).get("email") or {}
    if not channel.get("enabled", True):
        return []
    found = []
    for entry in channel.get("addresses") or ():
        address = parseaddr(str(entry))[1] or str(entry)
        if "@" in address:
            found.append(address.strip().lower())
    return list(dict.fromkeys(found))


def client_support_addresses(client: Client, at: datetime) -> list[str]:
    version = agreement_version_in_force(client, at)
    return email_addresses_of(version.document) if version is not None else []


def support_directory(at: datetime) -> dict[str, frozenset[int]]:
    """Support address → the clients whose agreement in force at `at` lists it (normally one)."""
    directory: dict[str, set[int]] = {}
    for client in Client.objects.filter(is_active=True).order_by("id"):
        for address in client_support_addresses(client, at):
            directory.setdefault(address, set()).add(client.id)
    return {address: frozenset(owners) for address, owners in directory.items()}


def support_address_owners(address: str, at: datetime) -> frozenset[int]:
    return support_directory(at).get(address.strip().lower(), frozenset())


def email_thread_case(client: Client, parsed: ParsedEmail) -> Case | None:
    """The client's case this message continues: by the ids it answers (nearest first), else by
    a `[Case #id]` token in its subject. Never a case of another client."""
    ids = parsed.thread_ids[:_THREAD_IDS]
    if ids:
        known = dict(
            EmailMessage.objects.filter(client=client, message_id__in=ids).values_list(
                "message_id", "case_id"
            )
        )
        for message_id in ids:
            if message_id in known:
                return Case.objects.get(client=client, pk=known[message_id])
    match = CASE_TOKEN.search(parsed.subject)
    if match:
        return Case.objects.filter(client=client, pk=int(match.group(1))).first()
    return None


def email_thread(case: Case) -> QuerySet[EmailMessage]:
    """The case's messages, oldest first, for a caller already through `access_case`."""
    return (
        EmailMessage.objects.filter(client_id=case.client_id, case=case)
        .prefetch_related("attachments")
        .order_by("received_at", "id")
    )


def email_last_inbound(case: Case) -> EmailMessage | None:
    return (
        EmailMessage.objects.filter(
            client_id=case.client_id, case=case, direction=Direction.INBOUND
        )
        .order_by("-received_at", "-id")
        .first()
    )


def quarantined_email_list(
    *, actor: Actor, resolved: bool | None = False
) -> QuerySet[QuarantinedEmail]:
    """Quarantined mail the actor may handle: its clients' items; provider admins see all,
    including mail whose client is unknown."""
    items = QuarantinedEmail.objects.select_related("client")
    if not is_provider_admin(actor):
        allowed = [
            client_id
            for client_id in visible_clients(actor).values_list("id", flat=True)
            if has_permission(actor, Permission.CASE_WORK, client_id)
        ]
        items = items.filter(client_id__in=allowed)
    if resolved is not None:
        items = items.filter(resolved=resolved)
    return items.order_by("-received_at", "-id")

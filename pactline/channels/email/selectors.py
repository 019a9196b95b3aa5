"""Reads for email: who owns a support address, which case a message belongs to, a case's mail.

The support addresses are those of the agreement version in force for each active client
(`channels.email.addresses`), compared case-insensitively. Nothing is cached: an agreement
activated a second ago already routes mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import QuerySet

from pactline.agreements.execution import executes
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import email_addresses
from pactline.cases.models import Case
from pactline.cases.selectors import contact_email_addresses
from pactline.channels.email.models import Direction, EmailMessage, QuarantinedEmail
from pactline.channels.email.parsing import ParsedEmail
from pactline.channels.email.tokens import TokenKind, subject_token
from pactline.tenancy.access import (
    Actor,
    Permission,
    has_permission,
    is_provider_admin,
    visible_clients,
)
from pactline.tenancy.models import Client

executes("channels.*.addresses")  # support mailboxes route mail; chat and social alike

_THREAD_IDS = 100  # the newest references are enough to find the thread


def client_support_addresses(client: Client, at: datetime) -> list[str]:
    version = agreement_version_in_force(client, at)
    return email_addresses(version.terms) if version is not None else []


def support_directory(at: datetime) -> dict[str, frozenset[int]]:
    """Support address → the clients whose agreement in force at `at` lists it (normally one)."""
    directory: dict[str, set[int]] = {}
    for client in Client.objects.filter(is_active=True).order_by("id"):
        for address in client_support_addresses(client, at):
            directory.setdefault(address, set()).add(client.id)
    return {address: frozenset(owners) for address, owners in directory.items()}


def support_address_owners(address: str, at: datetime) -> frozenset[int]:
    return support_directory(at).get(address.strip().lower(), frozenset())


class NamedBy(StrEnum):
    THREAD = "thread"  # In-Reply-To / References: a message of the case
    KEYED_TOKEN = "keyed_token"  # `[#N-TAG]` with the right tag
    PLAIN_TOKEN = "plain_token"  # `[Case #N]`: guessable, so honoured for the contact only


@dataclass(frozen=True)
class NamedCase:
    case: Case
    by: NamedBy


def email_named_case(client: Client, parsed: ParsedEmail) -> NamedCase | None:
    """The client's case this message says it continues: by the ids it answers (nearest
    first), else by a case token in its subject. Never a case of another client. Whether the
    message may join it depends on who sent it (the services decide)."""
    ids = parsed.thread_ids[:_THREAD_IDS]
    if ids:
        known = dict(
            EmailMessage.objects.filter(client=client, message_id__in=ids).values_list(
                "message_id", "case_id"
            )
        )
        for message_id in ids:
            if message_id in known:
                case = Case.objects.get(client=client, pk=known[message_id])
                return NamedCase(case, NamedBy.THREAD)
    token = subject_token(client.id, parsed.subject)
    if token is None:
        return None
    found = Case.objects.filter(client=client, pk=token.case_id).first()
    if found is None:
        return None
    by = NamedBy.KEYED_TOKEN if token.kind == TokenKind.KEYED else NamedBy.PLAIN_TOKEN
    return NamedCase(found, by)


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


@dataclass(frozen=True)
class ReplyRecipients:
    """Where an agent's reply to the case's last email goes."""

    parent: EmailMessage | None  # the customer's message being answered
    to: tuple[str, ...]  # one of the case's contact's own addresses (none when it has none)
    # The answered message's Reply-To when it is not one of the contact's addresses: used only
    # when the agent chooses it, since anyone can write any Reply-To.
    outside_reply_to: str


def email_reply_recipients(case: Case) -> ReplyRecipients:
    """For a caller already through `access_case`: the contact's address that the customer's
    last message came from (or its Reply-To, when that is also theirs), else the contact's
    first address; never an address the contact does not have."""
    parent = email_last_inbound(case)
    if parent is None:
        return ReplyRecipients(None, (), "")
    known = contact_email_addresses(client_id=case.client_id, contact_id=case.contact_id)
    reply_to = parent.reply_to.strip().lower()
    sender = parent.from_address.strip().lower()
    chosen = next((address for address in (reply_to, sender) if address in known), "")
    chosen = chosen or (known[0] if known else "")
    outside = reply_to if reply_to and reply_to not in known else ""
    return ReplyRecipients(parent, (chosen,) if chosen else (), outside)

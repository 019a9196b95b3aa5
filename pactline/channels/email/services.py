"""Writes for email: receiving mail into cases, the quarantine, and agents' replies.

Receiving (`email_receive`) is what the SMTP listener calls for each accepted message. Every
recipient client gets its own copy, in its own transaction: the message names a case
(In-Reply-To/References against stored Message-IDs, else a case token in its subject) or not.
It joins the case it names only when it comes from one of that case's contact's addresses (a
resolved case is then reopened); from anyone else it opens its own case, linked to the named one
as possibly related, for an agent to judge. The customer message goes on the case's timeline
through the case services (so the clocks run), and the message row gets its `change_seq`.

- Idempotent: the same bytes delivered again change nothing (the SHA-256 of the bytes as
  received), nor does the same message relayed again with other trace headers (same
  Message-ID, same content).
- Never lost: a message without a usable Message-ID (none, `<>`), or with one a different
  message already used, takes an identity derived from its bytes. Mail that cannot be parsed
  or stored goes to the quarantine with its reason, once however often it is delivered. Only
  transient database errors escape, so the listener answers 451 and the sender retries.

Agents' replies are `replies` (re-exported here).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import default_priority
from pactline.audit.sequences import Stream, next_change_seq
from pactline.cases.contacts import contact_find_or_create
from pactline.cases.links import case_link_related
from pactline.cases.models import CLOSED_STATUSES, Case, Channel, Contact
from pactline.cases.selectors import contact_email_addresses
from pactline.cases.services import (
    case_customer_message,
    case_open,
    case_reopen,
)
from pactline.channels.email.models import (
    Direction,
    EmailAttachment,
    EmailMessage,
    QuarantinedEmail,
    QuarantineReason,
)
from pactline.channels.email.parsing import (
    ParsedEmail,
    UnparseableEmail,
    content_message_id,
    parse_email,
)
from pactline.channels.email.replies import email_reply_send as email_reply_send
from pactline.channels.email.replies import reply_subject as reply_subject
from pactline.channels.email.selectors import (
    email_named_case,
    support_directory,
)
from pactline.channels.email.storage import (
    read_file,
    sha256_of,
    store_attachment,
    store_quarantined,
    store_raw,
)
from pactline.common.errors import Conflict, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

logger = logging.getLogger(__name__)

# Errors after which the same delivery may well succeed: the sender is asked to retry.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
DEFAULT_PRIORITIES = ("critical", "high", "normal", "low")


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Delivery:
    """What became of one copy of a message."""

    outcome: Outcome
    client_id: int | None
    message: EmailMessage | None = None
    quarantined: QuarantinedEmail | None = None

    @property
    def case_id(self) -> int | None:
        return self.message.case_id if self.message is not None else None


@dataclass(frozen=True)
class _Envelope:
    raw: bytes
    mail_from: str
    rcpt_tos: tuple[str, ...]
    received_at: datetime  # when the listener took the message: the customer's moment
    now: datetime  # when it is being stored (later only when retried from the quarantine)
    sha256: str  # of the bytes as received (`raw` is a redacted copy when retried)


class _NotUsable(Exception):
    """Why a message cannot be used: quarantined on receipt, a `Conflict` on retry."""

    def __init__(self, reason: QuarantineReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _quarantine(
    envelope: _Envelope,
    *,
    reason: QuarantineReason,
    detail: str,
    client: Client | None = None,
    message_id: str = "",
    recipients: Sequence[str] | None = None,
) -> Delivery:
    key = f"{client.id if client else '-'}:{reason}:{envelope.sha256}"
    item = QuarantinedEmail.objects.filter(delivery_key=key).first()
    if item is not None:  # the same bytes delivered again: already kept, once
        return Delivery(Outcome.QUARANTINED, client.id if client else None, quarantined=item)
    stored = store_quarantined(envelope.raw)
    try:
        with transaction.atomic():
            item = QuarantinedEmail.objects.create(
                client=client,
                reason=reason,
                detail=detail[:10_000],
                message_id=message_id[:998],
                envelope_from=envelope.mail_from[:320],
                envelope_to=list(recipients if recipients is not None else envelope.rcpt_tos),
                received_at=envelope.received_at,
                raw_file=stored.name,
                raw_sha256=envelope.sha256,
                size=len(envelope.raw),
                delivery_key=key,
            )
    except IntegrityError:  # the same bytes on another connection, at the same moment
        item = QuarantinedEmail.objects.get(delivery_key=key)
        return Delivery(Outcome.QUARANTINED, client.id if client else None, quarantined=item)
    logger.warning("email quarantined (%s): %s [%s]", reason, detail, item.pk)
    return Delivery(Outcome.QUARANTINED, client.id if client else None, quarantined=item)


def _store_attachments(client: Client, parsed: ParsedEmail) -> list[EmailAttachment]:
    rows = []
    for attachment in parsed.attachments:
        name, digest = store_attachment(client.code, attachment.content)
        rows.append(
            EmailAttachment(
                client=client,
                filename=attachment.filename,
                content_type=attachment.content_type[:255],
                content_id=attachment.content_id[:998],
                inline=attachment.inline,
                size=len(attachment.content),
                sha256=digest,
                file=name,
            )
        )
    return rows


def _case_for(
    actor: Actor,
    client: Client,
    parsed: ParsedEmail,
    contact: Contact | None,
    at: datetime,
    now: datetime,
) -> Case:
    named = email_named_case(client, parsed)
    if named is not None:
        known = contact_email_addresses(client_id=client.id, contact_id=named.case.contact_id)
        if parsed.from_address.strip().lower() in known:
            if named.case.status in CLOSED_STATUSES:
                return case_reopen(actor=actor, case=named.case, at=at, now=now)
            return named.case
    # Not the case's contact (or no case named): a case of its own. Anyone can write a case
    # token or a Message-ID into a message; only the contact's own mail joins their case.
    version = agreement_version_in_force(client, at)
    case = case_open(
        actor=actor,
        client=client,
        channel=Channel.EMAIL,
        priority=default_priority(version.terms if version is not None else None),
        subject=parsed.subject or _("(no subject)"),
        contact=contact,
        at=at,
        now=now,
    )
    if named is not None:
        case_link_related(actor=actor, case=case, related=named.case, now=now)
    return case


def _contact(actor: Actor, client: Client, parsed: ParsedEmail, now: datetime) -> Contact | None:
    """The sender (From, never Reply-To: anyone can write any Reply-To) as the client's contact
    (found by address, or created). An address the contacts register will not take (e.g. no dot
    in the domain) leaves the message without one rather than keeping it from the case."""
    try:
        found = contact_find_or_create(
            actor=actor,
            client=client,
            email=parsed.from_address,
            name=parsed.from_name,
            now=now,
        )
    except ValidationFailed:
        return None
    return found.contact


def _same_content(stored: EmailMessage, parsed: ParsedEmail) -> bool:
    """Whether a stored message and a parsed one say the same (a relay's second delivery of a
    message differs only in trace headers such as Received)."""
    return (
        stored.from_address.lower(),
        stored.subject,
        stored.text_body,
        stored.html_body,
        stored.sent_at,
    ) == (
        parsed.from_address[:320].lower(),
        parsed.subject[:998],
        parsed.text,
        parsed.html,
        parsed.date,
    )


def _identity(client: Client, parsed: ParsedEmail, digest: str) -> ParsedEmail | EmailMessage:
    """The message as it will be stored, or the stored message it is a copy of. A Message-ID
    that a different message of the client already has is not this message's identity: it
    takes one derived from its bytes instead, so neither message is lost."""
    same_bytes = EmailMessage.objects.filter(client=client, raw_sha256=digest).first()
    if same_bytes is not None:
        return same_bytes
    holder = EmailMessage.objects.filter(client=client, message_id=parsed.message_id).first()
    if holder is None:
        return parsed
    if holder.direction == Direction.INBOUND and _same_content(holder, parsed):
        return holder
    notes = (*parsed.defects, f"Message-ID <{parsed.message_id}> already used by another message")
    return replace(parsed, message_id=content_message_id(digest), defects=notes)


def _store(
    actor: Actor,
    client: Client,
    parsed: ParsedEmail,
    envelope: _Envelope,
    recipients: Sequence[str],
    *,
    raced: bool = False,
) -> Delivery:
    identified = _identity(client, parsed, envelope.sha256)
    if isinstance(identified, EmailMessage):
        return Delivery(Outcome.DUPLICATE, client.id, message=identified)
    as_received, parsed = parsed, identified
    raw = store_raw(client.code, envelope.raw)
    attachments = _store_attachments(client, parsed)
    at, now = envelope.received_at, envelope.now
    try:
        with transaction.atomic():
            contact = _contact(actor, client, parsed, now)
            case = _case_for(actor, client, parsed, contact, at, now)
            body = parsed.text or parsed.subject
            case_customer_message(actor=actor, case=case, body=body, at=at, now=now)
            message = EmailMessage.objects.create(
                client=client,
                case=case,
                contact=contact,
                direction=Direction.INBOUND,
                message_id=parsed.message_id,
                in_reply_to=parsed.in_reply_to,
                references=list(parsed.references),
                from_name=parsed.from_name[:200],
                from_address=parsed.from_address[:320],
                reply_to=parsed.reply_to[:320],
                to=list(parsed.to),
                cc=list(parsed.cc),
                envelope_from=envelope.mail_from[:320],
                envelope_to=list(recipients),
                subject=parsed.subject[:998],
                text_body=parsed.text,
                html_body=parsed.html,
                sent_at=parsed.date,
                received_at=at,
                raw_file=raw.name,
                raw_sha256=envelope.sha256,
                size=len(envelope.raw),
                defects=list(parsed.defects),
                auto_submitted=parsed.auto_submitted,
                change_seq=next_change_seq(client.id, Stream.EMAIL),
            )
            for row in attachments:
                row.message = message
            EmailAttachment.objects.bulk_create(attachments)
    except IntegrityError:
        # Another connection stored a message with this Message-ID at the same moment: the
        # same message (then this is a duplicate), or a different one reusing the id (then
        # this one takes its own identity on the second try).
        if raced:
            raise
        return _store(actor, client, as_received, envelope, recipients, raced=True)
    return Delivery(Outcome.STORED, client.id, message=message)


def _route(envelope: _Envelope) -> tuple[dict[int, list[str]], list[str], list[str]]:
    """Recipients by owning client, plus those claimed by several clients and by none."""
    directory = support_directory(envelope.received_at)
    owned: dict[int, list[str]] = {}
    ambiguous, unknown = [], []
    for recipient in envelope.rcpt_tos:
        owners = directory.get(recipient.strip().lower(), frozenset())
        if len(owners) == 1:
            owned.setdefault(next(iter(owners)), []).append(recipient)
        elif owners:
            ambiguous.append(recipient)
        else:
            unknown.append(recipient)  # the agreement changed between RCPT and DATA
    return owned, ambiguous, unknown


def _parse(envelope: _Envelope) -> ParsedEmail:
    try:
        parsed = parse_email(envelope.raw, digest=envelope.sha256)
    except UnparseableEmail as exc:
        raise _NotUsable(QuarantineReason.UNPARSEABLE, exc.detail) from exc
    except Exception as exc:  # the stdlib parser has crashed on hostile input before
        logger.exception("email parser failed")
        detail = f"{type(exc).__name__}: {exc}"
        raise _NotUsable(QuarantineReason.UNPARSEABLE, detail) from exc
    if not parsed.from_address:
        if "@" not in envelope.mail_from:
            detail = "neither a From header nor an envelope sender"
            raise _NotUsable(QuarantineReason.NO_SENDER, detail)
        notes = (*parsed.defects, "no From header: the envelope sender is used")
        parsed = replace(parsed, from_address=envelope.mail_from, defects=notes)
    return _redacted(parsed)


def _redacted(parsed: ParsedEmail) -> ParsedEmail:
    """Card numbers, security codes and expiry dates out of everything stored as text (the
    subject, both bodies, and through them the case timeline)."""
    subject, text, html = (
        redact_card_data(value) for value in (parsed.subject, parsed.text, parsed.html)
    )
    found = sum(
        part.cards + part.security_codes + part.expiry_dates for part in (subject, text, html)
    )
    if not found:
        return parsed
    notes = (*parsed.defects, f"card data redacted ({found})")
    return replace(parsed, subject=subject.text, text=text.text, html=html.text, defects=notes)


def _deliver(actor: Actor, envelope: _Envelope, *, quarantine: bool) -> list[Delivery]:
    owned, ambiguous, unknown = _route(envelope)
    clients = Client.objects.in_bulk(list(owned))
    deliveries: list[Delivery] = []
    if quarantine and ambiguous:
        detail = "recipient claimed by several clients' agreements: " + ", ".join(ambiguous)
        reason = QuarantineReason.AMBIGUOUS_RECIPIENT
        deliveries.append(_quarantine(envelope, reason=reason, detail=detail, recipients=ambiguous))
    if quarantine and unknown:
        detail = "no client's agreement in force lists " + ", ".join(unknown)
        reason = QuarantineReason.NO_CLIENT
        deliveries.append(_quarantine(envelope, reason=reason, detail=detail, recipients=unknown))
    if not owned:
        if not quarantine:
            raise _NotUsable(QuarantineReason.NO_CLIENT, "no recipient belongs to a client")
        return deliveries
    only = next(iter(clients.values())) if len(clients) == 1 else None
    try:
        parsed = _parse(envelope)
    except _NotUsable as exc:
        if not quarantine:
            raise
        return [
            *deliveries,
            _quarantine(envelope, reason=exc.reason, detail=exc.detail, client=only),
        ]
    for client_id, recipients in owned.items():
        client = clients[client_id]
        try:
            deliveries.append(_store(actor, client, parsed, envelope, recipients))
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            logger.exception("email for %s could not be stored", client.code)
            detail = f"{type(exc).__name__}: {exc}"
            if not quarantine:
                raise _NotUsable(QuarantineReason.STORE_FAILED, detail) from exc
            deliveries.append(
                _quarantine(
                    envelope,
                    reason=QuarantineReason.STORE_FAILED,
                    detail=detail,
                    client=client,
                    message_id=parsed.message_id,
                    recipients=recipients,
                )
            )
    return deliveries


def email_receive(
    *,
    actor: Actor,
    raw: bytes,
    mail_from: str,
    rcpt_tos: Sequence[str],
    now: datetime | None = None,
) -> list[Delivery]:
    """Take in one message accepted for `rcpt_tos`: one delivery per recipient client, and
    quarantine for what cannot be used. Raises only transient database errors."""
    now = now or timezone.now()
    envelope = _Envelope(raw, mail_from or "", tuple(rcpt_tos), now, now, sha256_of(raw))
    return _deliver(actor, envelope, quarantine=True)


@transaction.atomic
def quarantined_email_resolve(
    *, actor: Actor, item: QuarantinedEmail, resolution: str = "", now: datetime | None = None
) -> QuarantinedEmail:
    """Close an item (handled by hand, or junk). The caller has been through
    `access_quarantined_email`."""
    item = QuarantinedEmail.objects.select_for_update().get(pk=item.pk)
    if item.resolved:
        return item
    item.resolved = True
    item.resolved_at = now or timezone.now()
    item.resolved_by = actor.audit_label[:150]
    item.resolution = resolution
    item.save(update_fields=["resolved", "resolved_at", "resolved_by", "resolution"])
    return item


def quarantined_email_retry(
    *, actor: Actor, item: QuarantinedEmail, now: datetime | None = None
) -> list[Delivery]:
    """Deliver a quarantined message again (after its cause is fixed: an agreement activated,
    a bug repaired). On success the item is resolved; otherwise `Conflict` says why, and
    nothing new is quarantined."""
    if item.resolved:
        raise Conflict(_("this message has already been resolved"))
    envelope = _Envelope(
        read_file(str(item.raw_file.name)),
        item.envelope_from,
        tuple(item.envelope_to),
        item.received_at,
        now or timezone.now(),
        item.raw_sha256,
    )
    try:
        deliveries = _deliver(actor, envelope, quarantine=False)
    except _NotUsable as exc:
        raise Conflict(
            _("the message still cannot be delivered: %(detail)s") % {"detail": exc.detail}
        ) from exc
    stored = ", ".join(
        f"#{delivery.message.pk}" for delivery in deliveries if delivery.message is not None
    )
    quarantined_email_resolve(
        actor=actor, item=item, resolution=f"delivered again as {stored}", now=envelope.now
    )
    return deliveries

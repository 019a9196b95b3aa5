"""Writes for social media: take in a platform message, reply to a thread, acknowledge delivery.

Every write takes the client's "social" change sequence first (`pactline.audit.sequences`: the
client's audit chain head, then the counter): commits come in `change_seq` order, and two
deliveries of one message (or two first messages of one thread) cannot both get through the
duplicate checks. Card data is redacted from the text before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import default_priority, social_accounts
from pactline.audit.sequences import Stream, change_sequence
from pactline.audit.services import audit_record
from pactline.cases.contacts import contact_find_or_create
from pactline.cases.models import CLOSED_STATUSES, AuthorKind, Case, CaseStatus, Channel, Contact
from pactline.cases.services import case_agent_reply, case_customer_message, case_open, case_reopen
from pactline.channels.chat.services import instant_errors, pan_display, plain
from pactline.channels.social.models import (
    Delivery,
    Direction,
    Platform,
    SocialMessage,
    SocialThread,
)
from pactline.channels.social.selectors import social_thread_of_case
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

TEXT_MAX = 10_000
ID_MAX = 200
SUBJECT_MAX = 120
ATTACHMENTS_MAX = 20


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str = ""
    content_type: str = ""


@dataclass(frozen=True)
class Inbound:
    """One message as the platform integration delivers it."""

    platform: str
    account: str
    thread_id: str
    message_id: str
    author_id: str
    author_name: str
    text: str
    sent_at: datetime
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Stored:
    message: SocialMessage
    created: bool


def _inbound_errors(client: Client, inbound: Inbound, now: datetime) -> list[FieldError]:
    errors = []
    if inbound.platform not in Platform.values:
        errors.append(
            FieldError("platform", _("one of: %(v)s") % {"v": ", ".join(Platform.values)})
        )
    version = agreement_version_in_force(client, now)
    accounts = social_accounts(version.terms if version is not None else None)
    if not accounts:
        errors.append(FieldError("account", _("the client's agreement has no social accounts")))
    elif inbound.account not in accounts:
        errors.append(
            FieldError(
                "account", _("not one of the client's accounts: %(v)s") % {"v": ", ".join(accounts)}
            )
        )
    else:
        prefix, colon, _name = inbound.account.partition(":")
        if colon and prefix in Platform.values and prefix != inbound.platform:
            errors.append(FieldError("platform", _("the account is on %(p)s") % {"p": prefix}))
    for field, value in (("thread_id", inbound.thread_id), ("message_id", inbound.message_id)):
        if not value:
            errors.append(FieldError(field, _("this field is required")))
        elif len(value) > ID_MAX:
            errors.append(FieldError(field, _("at most %(n)s characters") % {"n": ID_MAX}))
    if not inbound.text and not inbound.attachments:
        errors.append(FieldError("text", _("a message needs text or an attachment")))
    if len(inbound.text) > TEXT_MAX:
        errors.append(FieldError("text", _("at most %(n)s characters") % {"n": TEXT_MAX}))
    if len(inbound.attachments) > ATTACHMENTS_MAX:
        errors.append(
            FieldError("attachments", _("at most %(n)s attachments") % {"n": ATTACHMENTS_MAX})
        )
    errors += instant_errors("sent_at", inbound.sent_at, now)
    return errors


def _plain(inbound: Inbound) -> Inbound:
    return replace(
        inbound,
        platform=plain(inbound.platform),
        account=plain(inbound.account),
        thread_id=plain(inbound.thread_id),
        message_id=plain(inbound.message_id),
        author_id=plain(inbound.author_id),
        author_name=plain(inbound.author_name),
        text=plain(inbound.text),
        attachments=tuple(
            Attachment(url=plain(a.url), name=plain(a.name), content_type=plain(a.content_type))
            for a in inbound.attachments
        ),
    )


def _contact(actor: Actor, client: Client, inbound: Inbound) -> Contact | None:
    """WhatsApp ids are phone numbers: the sender becomes (or is found as) a contact."""
    if inbound.platform != Platform.WHATSAPP:
        return None
    try:
        return contact_find_or_create(
            actor=actor,
            client=client,
            phone=inbound.author_id
            if inbound.author_id.startswith("+")
            else f"+{inbound.author_id}",
            name=inbound.author_name,
        ).contact
    except ValidationFailed:
        return None  # not a phone number after all: the thread still works without a contact


def _timeline_body(text: str, attachments: list[dict[str, str]]) -> str:
    lines = [text] if text else []
    lines += [f"[{a['name'] or a['url']}]" for a in attachments]
    return "\n".join(lines)


@transaction.atomic
def social_message_receive(
    *, actor: Actor, client: Client, inbound: Inbound, now: datetime | None = None
) -> Stored:
    """Take in one platform message. Seen before (client, platform, message id): returned
    unchanged. Otherwise it joins its thread's case — the open one, the resolved one reopened,
    or a new case when there is none or the last one is closed."""
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    inbound = _plain(inbound)
    errors = _inbound_errors(client, inbound, now)
    if errors:
        raise ValidationFailed(errors)
    # Stored in UTC: PostgreSQL refuses the sender's UTC offset beyond ±15:59.
    inbound = replace(inbound, sent_at=inbound.sent_at.astimezone(UTC))
    sequence = change_sequence(client.id, Stream.SOCIAL)
    known = SocialMessage.objects.filter(
        client=client, platform=inbound.platform, message_id=inbound.message_id
    ).first()
    if known is not None:
        return Stored(known, created=False)
    at = min(inbound.sent_at, now)  # a sender's clock ahead of ours does not date the future
    thread = (
        SocialThread.objects.select_for_update()
        .select_related("case", "case__agreement_version")
        .filter(
            client=client,
            platform=inbound.platform,
            account=inbound.account,
            thread_id=inbound.thread_id,
        )
        .first()
    )
    case = thread.case if thread is not None else None
    version: AgreementVersion | None = None  # set when a new case opens
    if case is None or case.status == CaseStatus.CLOSED:
        version = agreement_version_in_force(client, at)
        pinned = version
    else:
        pinned = case.agreement_version
    display = pan_display(pinned) if pinned is not None else "last4"
    redaction = redact_card_data(inbound.text, display=display)
    text = redaction.text
    attachments = [
        {"url": a.url, "name": redact_card_data(a.name).text, "content_type": a.content_type}
        for a in inbound.attachments
    ]
    author_name = redact_card_data(inbound.author_name).text
    if case is None or case.status == CaseStatus.CLOSED:
        case = case_open(
            actor=actor,
            client=client,
            channel=Channel.SOCIAL,
            priority=default_priority(version.terms if version is not None else None),
            subject=(text or inbound.account)[:SUBJECT_MAX],
            at=at,
            now=now,
        )
    elif case.status in CLOSED_STATUSES:
        case = case_reopen(actor=actor, case=case, at=at, now=now)
    case = case_customer_message(
        actor=actor, case=case, body=_timeline_body(text, attachments), at=at, now=now
    )
    if thread is None:
        thread = SocialThread.objects.create(
            client=client,
            platform=inbound.platform,
            account=inbound.account,
            thread_id=inbound.thread_id,
            case=case,
            contact=_contact(actor, client, inbound),
            author_id=inbound.author_id[:ID_MAX],
            author_name=author_name,
            created_at=now,
            last_message_at=at,
        )
    else:
        thread.case = case
        thread.last_message_at = max(thread.last_message_at, at)
        thread.save(update_fields=["case", "last_message_at"])
    message = SocialMessage.objects.create(
        client=client,
        thread=thread,
        case=case,
        direction=Direction.INBOUND,
        platform=inbound.platform,
        message_id=inbound.message_id,
        author_kind=AuthorKind.CUSTOMER,
        author_id=inbound.author_id[:ID_MAX],
        author_name=author_name,
        text=text,
        redactions=redaction.cards + redaction.security_codes + redaction.expiry_dates,
        attachments=attachments,
        sent_at=inbound.sent_at,
        received_at=now,
        change_seq=sequence.take(),
    )
    return Stored(message, created=True)


@transaction.atomic
def social_reply(
    *,
    actor: Actor,
    case: Case,
    text: str,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Stored:
    """An agent's reply to the case's social thread: on the timeline at once (it answers the
    customer) and in the outbox as `pending_delivery` until the integration acknowledges it."""
    require(actor, Permission.CASE_WORK, case.client_id)
    cleaned, idempotency_key = plain(text), plain(idempotency_key)
    errors = []
    if not cleaned:
        errors.append(FieldError("text", _("write the reply first")))
    elif len(cleaned) > TEXT_MAX:
        errors.append(FieldError("text", _("at most %(n)s characters") % {"n": TEXT_MAX}))
    if len(idempotency_key) > ID_MAX:
        errors.append(FieldError("Idempotency-Key", _("at most %(n)s characters") % {"n": ID_MAX}))
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    sequence = change_sequence(case.client_id, Stream.SOCIAL)
    if idempotency_key:
        known = SocialMessage.objects.filter(
            client_id=case.client_id, idempotency_key=idempotency_key
        ).first()
        if known is not None:
            return Stored(known, created=False)
    thread = social_thread_of_case(case)
    if thread is None:
        raise ValidationFailed([FieldError("case", _("the case has no social thread"))])
    case = Case.objects.select_related("agreement_version").get(pk=case.pk)
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    redaction = redact_card_data(cleaned, display=pan_display(case.agreement_version))
    case = case_agent_reply(actor=actor, case=case, body=redaction.text, now=now)
    message = SocialMessage.objects.create(
        client_id=case.client_id,
        thread=thread,
        case=case,
        direction=Direction.OUTBOUND,
        platform=thread.platform,
        author_kind=AuthorKind.AGENT,
        author_name=actor.audit_label,
        text=redaction.text,
        redactions=redaction.cards + redaction.security_codes + redaction.expiry_dates,
        sent_at=now,
        received_at=now,
        change_seq=sequence.take(),
        delivery=Delivery.PENDING,
        idempotency_key=idempotency_key,
    )
    audit_record(
        actor=actor,
        action="social.reply_queued",
        client_id=case.client_id,
        obj=message,
        payload={"case": case.pk, "thread": thread.pk},
        at=now,
    )
    return Stored(message, created=True)


@transaction.atomic
def social_outbox_ack(
    *,
    actor: Actor,
    message: SocialMessage,
    delivered: bool,
    platform_message_id: str = "",
    error: str = "",
    now: datetime | None = None,
) -> SocialMessage:
    """The integration's word on a reply: delivered (with the platform's id for it) or failed.
    The same acknowledgement twice changes nothing; a delivered reply cannot fail afterwards,
    a failed one may still be reported delivered (a later retry got through)."""
    require(actor, Permission.CASE_WORK, message.client_id)
    platform_message_id, error = plain(platform_message_id), plain(error)[:2000]
    if len(platform_message_id) > ID_MAX:
        raise ValidationFailed(
            [FieldError("platform_message_id", _("at most %(n)s characters") % {"n": ID_MAX})]
        )
    change_sequence(message.client_id, Stream.SOCIAL)
    message = SocialMessage.objects.select_for_update().get(pk=message.pk)
    if message.direction != Direction.OUTBOUND:
        raise Conflict(_("only replies are delivered"))
    now = now or timezone.now()
    if message.delivery == Delivery.DELIVERED:
        if delivered and platform_message_id in ("", message.message_id):
            return message
        raise Conflict(_("the reply was already delivered"))
    if not delivered:
        if message.delivery == Delivery.FAILED and message.delivery_error == error:
            return message
        message.delivery = Delivery.FAILED
        message.delivery_error = error
        message.delivery_attempts += 1
        message.save(update_fields=["delivery", "delivery_error", "delivery_attempts"])
        return message
    if platform_message_id:
        taken = (
            SocialMessage.objects.filter(
                client_id=message.client_id,
                platform=message.platform,
                message_id=platform_message_id,
            )
            .exclude(pk=message.pk)
            .exists()
        )
        if taken:
            raise ValidationFailed(
                [FieldError("platform_message_id", _("another message already has this id"))]
            )
    message.delivery = Delivery.DELIVERED
    message.message_id = platform_message_id
    message.delivered_at = now
    message.delivery_attempts += 1
    message.save(update_fields=["delivery", "message_id", "delivered_at", "delivery_attempts"])
    return message

"""Writes for chat: start a session (opening its case), add a message, end the session.

Every write takes the client's "chat" change sequence first (`pactline.audit.sequences`: the
client's audit chain head, then the counter): that orders commits by `change_seq` and makes the
idempotency checks (an external conversation or message id seen before) safe against concurrent
deliveries of the same input. Card data is redacted from the text before anything is stored:
the message, the case timeline, the case subject."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import card_data, chat_channel, default_priority
from pactline.audit.sequences import ChangeSequence, Stream, change_sequence
from pactline.audit.services import audit_record
from pactline.cases.contacts import contact_find_or_create
from pactline.cases.models import CLOSED_STATUSES, AuthorKind, Case, Channel
from pactline.cases.services import (
    case_agent_reply,
    case_customer_message,
    case_open,
    case_reopen,
    case_touch,
)
from pactline.channels.chat.models import WEB_PROVIDER, ChatMessage, ChatSession
from pactline.channels.chat.selectors import token_digest
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.core.redact import PanDisplay, redact_card_data
from pactline.tenancy.access import Actor, Permission, require, system_actor
from pactline.tenancy.models import Client

executes("data_protection.card_data.pan_display")

NAME_MAX = 200
TEXT_MAX = 10_000
LABEL_MAX = 150
EXTERNAL_ID_MAX = 200
SUBJECT_MAX = 120
PROVIDER = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
AUTHOR_KINDS = tuple(AuthorKind.values)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
SKEW = timedelta(days=1)


@dataclass(frozen=True)
class Started:
    session: ChatSession
    created: bool
    token: str = ""  # the customer's token of a new web session; shown once, never stored


@dataclass(frozen=True)
class Added:
    message: ChatMessage
    created: bool


def pan_display(version: AgreementVersion) -> PanDisplay:
    return card_data(version.terms).pan_display


def plain(value: str | None) -> str:
    """Text input without NUL characters (PostgreSQL refuses them) or surrounding blanks."""
    return (value or "").replace("\x00", "").strip()


def instant_errors(field: str, value: datetime | None, now: datetime) -> list[FieldError]:
    """A time given by the sender must be aware and plausible (from 2000 to a day ahead)."""
    if value is None:
        return []
    if timezone.is_naive(value):
        return [FieldError(field, _("give the time with its UTC offset"))]
    if not EARLIEST <= value <= now + SKEW:
        return [FieldError(field, _("the time is out of range"))]
    return []


def _clean_text(text: str, field: str = "text") -> str:
    cleaned = plain(text)
    if not cleaned:
        raise ValidationFailed([FieldError(field, _("write a message first"))])
    if len(cleaned) > TEXT_MAX:
        raise ValidationFailed([FieldError(field, _("at most %(n)s characters") % {"n": TEXT_MAX})])
    return cleaned


def _start_errors(
    *, customer_name: str, provider: str, external_id: str, first_message: str
) -> list[FieldError]:
    errors = []
    if not customer_name:
        errors.append(FieldError("name", _("tell us your name")))
    elif len(customer_name) > NAME_MAX:
        errors.append(FieldError("name", _("at most %(n)s characters") % {"n": NAME_MAX}))
    if provider != WEB_PROVIDER and not PROVIDER.match(provider):
        errors.append(
            FieldError("provider", _("lower-case letters, digits, '.', '_' or '-' (max. 40)"))
        )
    if provider == WEB_PROVIDER and external_id:
        errors.append(FieldError("external_id", _("web chats have no external id")))
    if provider != WEB_PROVIDER and not external_id:
        errors.append(FieldError("external_id", _("the provider's conversation id is needed")))
    if len(external_id) > EXTERNAL_ID_MAX:
        errors.append(
            FieldError("external_id", _("at most %(n)s characters") % {"n": EXTERNAL_ID_MAX})
        )
    if len(first_message) > TEXT_MAX:
        errors.append(FieldError("message", _("at most %(n)s characters") % {"n": TEXT_MAX}))
    return errors


@transaction.atomic
def chat_session_start(
    *,
    actor: Actor,
    client: Client,
    customer_name: str,
    email: str | None = None,
    phone: str | None = None,
    region: str | None = None,
    provider: str = WEB_PROVIDER,
    external_id: str = "",
    first_message: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> Started:
    """Start a conversation: find or create the contact, open a case on the chat channel and,
    if the customer already wrote something, add it as the first message. An external
    conversation started before is returned as it is (`created=False`)."""
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    customer_name, provider = plain(customer_name), plain(provider)
    external_id, first_message = plain(external_id), plain(first_message)
    errors = _start_errors(
        customer_name=customer_name,
        provider=provider,
        external_id=external_id,
        first_message=first_message,
    )
    errors += instant_errors("started_at", at, now)
    if errors:
        raise ValidationFailed(errors)
    # A sender's clock ahead of ours does not date the future; stored in UTC, as PostgreSQL
    # refuses the sender's UTC offset beyond ±15:59.
    at = min(at or now, now).astimezone(UTC)
    sequence = change_sequence(client.id, Stream.CHAT)
    if external_id:
        known = ChatSession.objects.filter(
            client=client, provider=provider, external_id=external_id
        ).first()
        if known is not None:
            return Started(known, created=False)
    version = agreement_version_in_force(client, at)
    if version is None or chat_channel(version.terms) is None:
        raise ValidationFailed(
            [FieldError("client", _("the client's agreement has no chat channel"))]
        )
    contact = None
    if email or phone:
        contact = contact_find_or_create(
            actor=actor,
            client=client,
            email=plain(email) or None,
            phone=plain(phone) or None,
            name=customer_name,
            region=plain(region) or None,
        ).contact
    display = pan_display(version)
    name = redact_card_data(customer_name, display=display).text
    opening = redact_card_data(first_message, display=display).text if first_message else ""
    case = case_open(
        actor=actor,
        client=client,
        channel=Channel.CHAT,
        priority=default_priority(version.terms),
        subject=(opening or name)[:SUBJECT_MAX],
        contact=contact,
        at=at,
        now=now,
    )
    token = secrets.token_urlsafe(32) if provider == WEB_PROVIDER else ""
    session = ChatSession.objects.create(
        client=client,
        case=case,
        contact=contact,
        provider=provider,
        external_id=external_id,
        token_digest=token_digest(token) if token else "",
        customer_name=name,
        started_at=at,
        last_message_at=at,
    )
    audit_record(
        actor=actor,
        action="chat.session_started",
        client_id=client.id,
        obj=session,
        payload={"case": case.pk, "provider": provider, "external_id": external_id},
        at=now,
    )
    if opening:
        _add(
            actor=actor,
            session=session,
            sequence=sequence,
            author_kind=AuthorKind.CUSTOMER,
            text=opening,
            at=at,
            now=now,
        )
    return Started(session, created=True, token=token)


def _add(
    *,
    actor: Actor,
    session: ChatSession,
    sequence: ChangeSequence,
    author_kind: str,
    text: str,
    author_label: str = "",
    external_id: str = "",
    at: datetime,
    now: datetime,
    redactions: int = 0,
) -> ChatMessage:
    """Record an already-redacted message and put it on the case timeline."""
    case: Case = session.case
    if author_kind == AuthorKind.CUSTOMER:
        if case.status in CLOSED_STATUSES:
            # The customer came back to a resolved conversation: the case opens again.
            case = case_reopen(actor=system_actor("chat"), case=case, now=now)
        case = case_customer_message(actor=actor, case=case, body=text, at=at, now=now)
    elif author_kind in (AuthorKind.AGENT, AuthorKind.BOT):
        case = case_agent_reply(
            actor=actor, case=case, body=text, bot=author_kind == AuthorKind.BOT, at=at, now=now
        )
    message = ChatMessage.objects.create(
        client_id=session.client_id,
        session=session,
        case=case,
        author_kind=author_kind,
        author_label=author_label[:LABEL_MAX],
        text=text,
        redactions=redactions,
        external_id=external_id,
        sent_at=at,
        received_at=now,
        change_seq=sequence.take(),
    )
    session.last_message_at = max(session.last_message_at, at)
    session.last_author_kind = author_kind
    session.save(update_fields=["last_message_at", "last_author_kind"])
    return message


@transaction.atomic
def chat_message_add(
    *,
    actor: Actor,
    session: ChatSession,
    author_kind: str,
    text: str,
    author_label: str = "",
    external_id: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> Added:
    """Add a message to an open session. A customer's message and a human agent's reply go on
    the case timeline (only the latter satisfies a response clock); a bot's reply too, as a
    bot's; a system message (e.g. "transferred") stays in the chat. A message whose external
    id the session already has is returned unchanged (`created=False`)."""
    require(actor, Permission.CASE_WORK, session.client_id)
    errors = []
    if author_kind not in AUTHOR_KINDS:
        errors.append(
            FieldError("author_kind", _("one of: %(kinds)s") % {"kinds": ", ".join(AUTHOR_KINDS)})
        )
    now = now or timezone.now()
    external_id, author_label = plain(external_id), plain(author_label)
    if len(external_id) > EXTERNAL_ID_MAX:
        errors.append(
            FieldError(
                "external_message_id", _("at most %(n)s characters") % {"n": EXTERNAL_ID_MAX}
            )
        )
    if len(author_label) > LABEL_MAX:
        errors.append(FieldError("author_label", _("at most %(n)s characters") % {"n": LABEL_MAX}))
    try:
        cleaned = _clean_text(text)
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    errors += instant_errors("sent_at", at, now)
    if errors:
        raise ValidationFailed(errors)
    sequence = change_sequence(session.client_id, Stream.CHAT)
    session = ChatSession.objects.select_related("case", "case__agreement_version").get(
        pk=session.pk
    )
    if external_id:
        known = ChatMessage.objects.filter(
            client_id=session.client_id, session=session, external_id=external_id
        ).first()
        if known is not None:
            return Added(known, created=False)
    if not session.is_open:
        raise Conflict(_("the chat has ended"))
    redaction = redact_card_data(cleaned, display=pan_display(session.case.agreement_version))
    message = _add(
        actor=actor,
        session=session,
        sequence=sequence,
        author_kind=author_kind,
        text=redaction.text,
        author_label="" if author_kind == AuthorKind.CUSTOMER else author_label,
        external_id=external_id,
        at=min(at or now, now).astimezone(UTC),
        now=now,
        redactions=redaction.cards + redaction.security_codes + redaction.expiry_dates,
    )
    return Added(message, created=True)


@transaction.atomic
def chat_session_end(
    *, actor: Actor, session: ChatSession, now: datetime | None = None
) -> ChatSession:
    """End the conversation (the case stays as it is: resolving it is a separate act).
    Ending an ended session changes nothing."""
    require(actor, Permission.CASE_WORK, session.client_id)
    change_sequence(session.client_id, Stream.CHAT)
    session = ChatSession.objects.select_related("case", "client").get(pk=session.pk)
    if not session.is_open:
        return session
    now = now or timezone.now()
    session.ended_at = now
    session.ended_by = actor.audit_label[:150]
    session.save(update_fields=["ended_at", "ended_by"])
    # The chat's wait (abandoned?) and handle time are figures of its case.
    case_touch(actor=actor, case=session.case, now=now)
    audit_record(
        actor=actor,
        action="chat.session_ended",
        client_id=session.client_id,
        obj=session,
        payload={"case": session.case_id},
        at=now,
    )
    return session

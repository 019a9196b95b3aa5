"""Agents' replies by email: to the case's contact's own addresses only (a Reply-To outside
them when the agent explicitly chooses it), threaded to the customer's last message, with the
keyed case token in the subject (`tokens`), and recorded on the case."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from django.core.mail import EmailMessage as DjangoEmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.terms import email_addresses
from pactline.audit.sequences import Stream, next_change_seq
from pactline.cases.models import Case
from pactline.cases.replies import Delivery, ReplyOutcome, ReplyRequest
from pactline.cases.services import case_agent_reply
from pactline.channels.email.models import Direction, EmailMessage
from pactline.channels.email.selectors import (
    client_support_addresses,
    email_reply_recipients,
)
from pactline.channels.email.storage import store_raw
from pactline.channels.email.tokens import case_token, strip_tokens
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

logger = logging.getLogger(__name__)

_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
MAX_REFERENCES = 20  # RFC 5322 §3.6.4 allows trimming; keep the thread's root and the newest


def reply_subject(case: Case, subject: str) -> str:
    """`Re: <subject> [#id-TAG]`: reply prefixes and old tokens removed, the keyed case token
    added so the customer's next answer threads even if their client drops In-Reply-To."""
    token = case_token(case.client_id, case.pk)
    base = strip_tokens(subject or case.subject)
    base = " ".join(_REPLY_PREFIX.sub("", base).split())
    return f"Re: {base} {token}" if base else f"Re: {token}"


def _references(parent: EmailMessage) -> list[str]:
    chain = list(parent.references) or ([parent.in_reply_to] if parent.in_reply_to else [])
    chain = [*dict.fromkeys([*chain, parent.message_id])]
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


def email_reply_send(
    *,
    actor: Actor,
    case: Case,
    body: str,
    include_reply_to: bool = False,
    now: datetime | None = None,
) -> EmailMessage:
    """Send an agent's reply to the customer's last email and record it on the case.

    It goes to the case's contact's own address (`email_reply_recipients`); the last message's
    Reply-To, when it is not one of the contact's addresses, is added only with
    `include_reply_to` (the agent's explicit choice). From is the client's first support
    address, threaded to the customer's message (In-Reply-To, References) with the keyed case
    token in the subject. The mail is sent
    before anything is written, and outside a transaction (a slow SMTP relay must not hold the
    database): a failed send records nothing, so the response clock keeps running until a
    reply really left."""
    require(actor, Permission.CASE_WORK, case.client_id)
    # Card data never leaves by email, whatever was pasted into the reply.
    body = redact_card_data(body.strip()).text
    if not body:
        raise ValidationFailed([FieldError("body", _("write the reply first"))])
    now = now or timezone.now()
    recipients = email_reply_recipients(case)
    parent = recipients.parent
    if parent is None:
        raise ValidationFailed(
            [FieldError("case", _("the case has no email from the customer to reply to"))]
        )
    to = list(recipients.to)
    if include_reply_to and recipients.outside_reply_to:
        to.append(recipients.outside_reply_to)
    if not to:
        raise ValidationFailed(
            [FieldError("case", _("the case's contact has no email address to reply to"))]
        )
    client = Client.objects.get(pk=case.client_id)
    sender = next(
        iter(
            client_support_addresses(client, now) or email_addresses(case.agreement_version.terms)
        ),
        "",
    )
    if not sender:
        raise ValidationFailed(
            [FieldError("case", _("the agreement names no support email address"))]
        )
    references = _references(parent)
    message_id = make_msgid(domain=sender.rsplit("@", 1)[1])[1:-1]
    mail = DjangoEmailMessage(
        subject=reply_subject(case, parent.subject),
        body=body + "\n",
        from_email=formataddr((client.name, sender)),
        to=to,
        headers={
            "Message-ID": f"<{message_id}>",
            "Date": format_datetime(now),
            "In-Reply-To": f"<{parent.message_id}>",
            "References": " ".join(f"<{item}>" for item in references),
            "Auto-Submitted": "no",
        },
    )
    raw = mail.message().as_bytes()
    mail.send()  # the default mailer (settings.MAILERS); raises when it fails
    try:
        return _record_reply(actor, case, mail, raw, message_id, parent, references, now)
    except Exception:
        logger.exception("reply <%s> was sent but could not be recorded", message_id)
        raise


def _record_reply(
    actor: Actor,
    case: Case,
    mail: DjangoEmailMessage,
    raw: bytes,
    message_id: str,
    parent: EmailMessage,
    references: list[str],
    now: datetime,
) -> EmailMessage:
    client = Client.objects.get(pk=case.client_id)
    stored = store_raw(client.code, raw)
    with transaction.atomic():
        message = EmailMessage.objects.create(
            client=client,
            case=case,
            contact_id=parent.contact_id,
            direction=Direction.OUTBOUND,
            message_id=message_id,
            in_reply_to=parent.message_id,
            references=references,
            from_name=client.name[:200],
            from_address=parseaddr(mail.from_email)[1],
            to=list(mail.to),
            envelope_from=parseaddr(mail.from_email)[1],
            envelope_to=list(mail.to),
            subject=str(mail.subject)[:998],
            text_body=str(mail.body),
            received_at=now,
            raw_file=stored.name,
            raw_sha256=stored.sha256,
            size=len(raw),
            change_seq=next_change_seq(client.id, Stream.EMAIL),
        )
        case_agent_reply(actor=actor, case=case, body=str(mail.body).strip(), at=now, now=now)
    return message


def email_case_reply(request: ReplyRequest) -> ReplyOutcome:
    """The email channel's reply handler (`pactline.cases.replies`): a mail that could not be
    sent is an error, and nothing was recorded."""
    try:
        email_reply_send(
            actor=request.actor,
            case=request.case,
            body=request.body,
            include_reply_to=request.include_reply_to,
            now=request.now,
        )
    except OSError as error:  # smtplib's errors are OSErrors
        logger.warning("reply to case %s could not be sent: %s", request.case.pk, error)
        raise Conflict(
            _("the email could not be sent (%(error)s); try again") % {"error": error}
        ) from None
    return ReplyOutcome(Delivery.SENT, _("Reply sent by email."))

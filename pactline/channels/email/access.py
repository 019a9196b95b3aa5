"""Fetch-and-authorize for email: one NotFound for "missing" and "not yours"."""

from __future__ import annotations

from pactline.channels.email.models import EmailAttachment, EmailMessage, QuarantinedEmail
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, is_provider_admin, require


def access_quarantined_email(actor: Actor, item_id: int) -> QuarantinedEmail:
    """An item of the actor's clients (who works their cases); mail whose client is unknown is
    the provider's, so only provider admins (and the system) reach it."""
    item = QuarantinedEmail.objects.select_related("client").filter(id=item_id).first()
    if item is None:
        raise NotFound
    if item.client_id is None:
        if not is_provider_admin(actor):
            raise NotFound
    elif not is_provider_admin(actor):
        require(actor, Permission.CASE_WORK, item.client_id)
    return item


def access_email_message(actor: Actor, message_id: int) -> EmailMessage:
    """A message whose raw source the actor may download: those who work the client's cases."""
    message = EmailMessage.objects.filter(id=message_id).first()
    if message is None:
        raise NotFound
    require(actor, Permission.CASE_WORK, message.client_id)
    return message


def access_email_attachment(actor: Actor, attachment_id: int) -> EmailAttachment:
    """An attachment the actor may download: those who work the client's cases."""
    attachment = EmailAttachment.objects.filter(id=attachment_id).first()
    if attachment is None:
        raise NotFound
    require(actor, Permission.CASE_WORK, attachment.client_id)
    return attachment

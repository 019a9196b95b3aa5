"""Downloads of an email's raw source and of its attachments, for those who work the client's
cases. The files are encrypted at rest; they are decrypted here only, and every download is
audited (`files`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from pactline.channels.email.access import access_email_attachment, access_email_message
from pactline.channels.email.files import (
    EmailFileMissing,
    email_attachment_read,
    email_source_read,
)
from pactline.common.http import domain_errors
from pactline.tenancy.http import request_actor


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    # Always an attachment, never rendered inline: an HTML part opened here would run in
    # Pactline's origin. The file name is quoted by Django.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def _disposition(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


@login_required
@require_GET
@domain_errors
def message_source(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = request_actor(request)
    message = access_email_message(actor, message_id)
    try:
        content = email_source_read(actor=actor, message=message)
    except EmailFileMissing:
        raise Http404 from None
    return _download(content, filename=f"message-{message.pk}.eml", content_type="message/rfc822")


@login_required
@require_GET
@domain_errors
def attachment_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    actor = request_actor(request)
    attachment = access_email_attachment(actor, attachment_id)
    try:
        content = email_attachment_read(actor=actor, attachment=attachment)
    except EmailFileMissing:
        raise Http404 from None
    return _download(
        content,
        filename=attachment.filename or f"attachment-{attachment.pk}",
        content_type="application/octet-stream",
    )

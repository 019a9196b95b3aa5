"""Email in the admin: read-only. Messages are records; the quarantine is worked through its
services (`quarantined_email_retry`, `quarantined_email_resolve`), which check who may."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pactline.channels.email.models import EmailAttachment, EmailMessage, QuarantinedEmail
from pactline.common.admin import ReadOnlyAdmin


class EmailAttachmentInline(admin.TabularInline[EmailAttachment, EmailMessage]):
    model = EmailAttachment
    fields = readonly_fields = ("filename", "content_type", "size", "inline", "sha256")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: EmailMessage | None = None) -> bool:
        return False


@admin.register(EmailMessage)
class EmailMessageAdmin(ReadOnlyAdmin[EmailMessage]):
    list_display = ["id", "client", "case", "direction", "from_address", "subject", "received_at"]
    list_filter = ["client", "direction"]
    search_fields = ["message_id", "subject"]
    inlines = [EmailAttachmentInline]


@admin.register(QuarantinedEmail)
class QuarantinedEmailAdmin(ReadOnlyAdmin[QuarantinedEmail]):
    list_display = ["id", "reason", "client", "envelope_from", "received_at", "resolved"]
    list_filter = ["reason", "resolved", "client"]
    search_fields = ["message_id", "envelope_from", "detail"]

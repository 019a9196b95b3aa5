from __future__ import annotations

from django.contrib import admin

from pactline.channels.chat.models import ChatSession
from pactline.common.admin import ReadOnlyAdmin


@admin.register(ChatSession)
class ChatSessionAdmin(ReadOnlyAdmin[ChatSession]):
    list_display = ["id", "client", "case", "provider", "external_id", "started_at", "ended_at"]
    list_filter = ["client", "provider"]
    exclude = ["token_digest"]

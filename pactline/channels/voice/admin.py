"""Calls in the admin: read-only, they change only through imports and live events."""

from __future__ import annotations

from django.contrib import admin

from pactline.channels.voice.models import AgentStateChange, Call, ImportRun
from pactline.common.admin import ReadOnlyAdmin


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin[Call]):
    list_display = ["call_id", "segment", "client", "queue", "entered_at", "agent", "outcome"]
    list_filter = ["client", "source", "outcome", "direction"]
    search_fields = ["call_id", "caller_number", "agent"]
    exclude = ["transcript"]  # viewing a transcript is audited: not through the admin


@admin.register(AgentStateChange)
class AgentStateChangeAdmin(ReadOnlyAdmin[AgentStateChange]):
    list_display = ["agent", "client", "queue", "state", "reason", "at"]
    list_filter = ["client", "state"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin[ImportRun]):
    list_display = ["file_name", "client", "format", "status", "lines_read", "lines_rejected"]
    list_filter = ["client", "format", "status"]

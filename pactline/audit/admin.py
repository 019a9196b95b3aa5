from django.contrib import admin

from pactline.audit.models import AuditEvent
from pactline.common.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = [
        "id",
        "occurred_at",
        "actor_label",
        "action",
        "client_id",
        "sequence",
        "object_type",
        "object_id",
    ]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "object_id"]

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from pactline.audit.services import audit_record
from pactline.cases.models import Case, OperationalLevel, SlaClock, SlaEvent
from pactline.common.admin import ReadOnlyAdmin
from pactline.tenancy.access import actor_for_user


@admin.register(OperationalLevel)
class OperationalLevelAdmin(admin.ModelAdmin[OperationalLevel]):
    list_display = ["name", "team", "client", "channel", "metric", "is_active"]
    list_filter = ["client", "channel", "metric", "is_active"]

    def save_model(
        self, request: HttpRequest, obj: OperationalLevel, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_for_user(request.user),
            action="operational_level.changed" if change else "operational_level.created",
            client_id=obj.client_id,
            obj=obj,
            payload={"name": obj.name, "metric": obj.metric, "targets": obj.targets},
        )


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin[Case]):
    list_display = ["id", "client", "channel", "priority", "status", "opened_at"]
    list_filter = ["client", "channel", "status"]


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin[SlaClock]):
    list_display = ["case", "key", "cycle", "state", "due_at", "next_event_at"]
    list_filter = ["state", "metric"]


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnlyAdmin[SlaEvent]):
    list_display = ["case", "kind", "level", "cycle", "occurred_at", "suppressed"]
    list_filter = ["kind"]

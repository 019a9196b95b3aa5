"""Admin helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import FileField, Model
from django.http import HttpRequest


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    """For records that change only through their services (versions) or never (audit).

    Stored files are left out: they are served only by the pages that check who may read
    them and audit the reading, never as a bare media address."""

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        files = [field.name for field in self.model._meta.fields if isinstance(field, FileField)]
        return [*(super().get_exclude(request, obj) or ()), *files]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

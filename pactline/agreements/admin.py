from django.contrib import admin

from pactline.agreements.models import Agreement, AgreementVersion
from pactline.common.admin import ReadOnlyAdmin


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin[Agreement]):
    list_display = ["reference", "title", "client", "created_at"]
    search_fields = ["reference", "title"]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin[AgreementVersion]):
    list_display = ["agreement", "number", "status", "effective_from", "activated_by"]
    list_filter = ["status"]

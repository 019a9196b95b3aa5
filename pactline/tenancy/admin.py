from django.contrib import admin

from pactline.tenancy.models import ApiToken, Client, Membership, Provider


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["code", "name", "is_active", "created_at"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "role", "client"]
    list_filter = ["role", "client"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "client", "scope", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]


admin.site.register(Provider)

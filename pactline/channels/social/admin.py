from __future__ import annotations

from django.contrib import admin

from pactline.channels.social.models import SocialMessage, SocialThread
from pactline.common.admin import ReadOnlyAdmin


@admin.register(SocialThread)
class SocialThreadAdmin(ReadOnlyAdmin[SocialThread]):
    list_display = ["id", "client", "platform", "account", "thread_id", "case", "last_message_at"]
    list_filter = ["client", "platform"]


@admin.register(SocialMessage)
class SocialMessageAdmin(ReadOnlyAdmin[SocialMessage]):
    list_display = ["id", "client", "platform", "direction", "message_id", "delivery", "sent_at"]
    list_filter = ["client", "platform", "direction", "delivery"]

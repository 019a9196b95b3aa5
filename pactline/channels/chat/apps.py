from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatChannelConfig(AppConfig):
    name = "pactline.channels.chat"
    label = "channels_chat"
    verbose_name = _("Chat")

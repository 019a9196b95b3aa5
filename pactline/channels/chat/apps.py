from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatChannelConfig(AppConfig):
    name = "pactline.channels.chat"
    label = "channels_chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from pactline.cases.models import Channel
        from pactline.cases.replies import reply_handler_register
        from pactline.channels.chat.replies import chat_case_reply

        reply_handler_register(Channel.CHAT, chat_case_reply)

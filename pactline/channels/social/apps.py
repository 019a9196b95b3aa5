from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialChannelConfig(AppConfig):
    name = "pactline.channels.social"
    label = "channels_social"
    verbose_name = _("Social media")

    def ready(self) -> None:
        from pactline.cases.models import Channel
        from pactline.cases.replies import reply_handler_register
        from pactline.channels.social.replies import social_case_reply

        reply_handler_register(Channel.SOCIAL, social_case_reply)

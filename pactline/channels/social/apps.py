from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialChannelConfig(AppConfig):
    name = "pactline.channels.social"
    label = "channels_social"
    verbose_name = _("Social media")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "pactline.channels.recordings"
    label = "recordings"
    verbose_name = _("Recordings and transcripts")

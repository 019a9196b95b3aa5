from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "pactline.channels.voice"
    label = "channels_voice"

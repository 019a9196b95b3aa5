from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "pactline.channels.email"
    label = "channels_email"

from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "pactline.channels.outbound"
    label = "channels_outbound"

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "pactline.common"
    label = "common"

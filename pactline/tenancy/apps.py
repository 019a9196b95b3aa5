from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "pactline.tenancy"
    label = "tenancy"

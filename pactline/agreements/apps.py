from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "pactline.agreements"
    label = "agreements"

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "pactline.billing"
    label = "billing"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pactline.audit"
    label = "audit"

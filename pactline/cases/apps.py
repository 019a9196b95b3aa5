from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "pactline.cases"
    label = "cases"

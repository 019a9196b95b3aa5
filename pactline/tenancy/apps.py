from django.apps import AppConfig
from django.core import checks


class TenancyConfig(AppConfig):
    name = "pactline.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from pactline.tenancy.checks import two_factor_roles_check

        checks.register(two_factor_roles_check)

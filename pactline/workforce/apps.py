from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "pactline.workforce"
    label = "workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        # Tenancy decides access but sits below the workforce records: it reads agents'
        # clearances through the reader installed here (explicitly, once, at start-up).
        from pactline.tenancy.access import clearance_reader_register
        from pactline.workforce.clearance import cleared_client_ids

        clearance_reader_register(cleared_client_ids)

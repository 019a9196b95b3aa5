from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "pactline.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # The metrics loop (`pactline serve`) keeps usage current and closes months once the
        # rollups have caught up; metrics sits below billing, so billing registers the jobs.
        from pactline.billing.close import month_close_scheduled
        from pactline.billing.consumer import EVERY, usage_job
        from pactline.metrics.after_rollups import after_rollups_register

        after_rollups_register("billing usage", usage_job, every=EVERY.total_seconds())
        after_rollups_register("month close", month_close_scheduled, every=3600)

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "pactline.billing"
    label = "billing"

    def ready(self) -> None:
        # The metrics loop runs these once the rollups have caught up (metrics sits below).
        from pactline.billing.close import month_close_scheduled
        from pactline.metrics.after_rollups import after_rollups_register

        after_rollups_register("month close", month_close_scheduled, every=3600)

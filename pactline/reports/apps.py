from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "pactline.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The metrics loop sends the reports that fell due once the rollups have caught up;
        # metrics sits below reports, so reports registers the job.
        from pactline.metrics.after_rollups import after_rollups_register
        from pactline.reports.due import REPORTS_EVERY, reports_due_lines

        after_rollups_register("reports", reports_due_lines, every=REPORTS_EVERY)

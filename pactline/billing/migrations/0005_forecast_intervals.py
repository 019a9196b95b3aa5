"""Forecasts are uploaded per interval. A month's figure recorded before is one interval
covering the whole month, from its first midnight in the client's home time zone."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def month_is_one_interval(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    forecasts = apps.get_model("billing", "VolumeForecast")
    versions = apps.get_model("agreements", "AgreementVersion")
    for row in forecasts.objects.all():
        version = versions.objects.filter(client_id=row.client_id).order_by("id").first()
        zone = ZoneInfo(version.home_timezone if version is not None else "UTC")
        first = row.month
        following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(following, time(), zone)
        row.starts_at = start
        row.minutes = int((end - start).total_seconds() // 60)
        row.save(update_fields=["starts_at", "minutes"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_exclusion_recorded_by")]

    operations = [
        migrations.RemoveConstraint(model_name="volumeforecast", name="billing_forecast_key"),
        migrations.AddField(
            model_name="volumeforecast", name="starts_at", field=models.DateTimeField(null=True)
        ),
        migrations.AddField(
            model_name="volumeforecast",
            name="minutes",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.RunPython(month_is_one_interval, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="volumeforecast", name="starts_at", field=models.DateTimeField()
        ),
        migrations.AlterField(
            model_name="volumeforecast", name="minutes", field=models.PositiveIntegerField()
        ),
        migrations.AddConstraint(
            model_name="volumeforecast",
            constraint=models.UniqueConstraint(
                fields=("client", "reference", "starts_at"), name="billing_forecast_interval_key"
            ),
        ),
        migrations.AddIndex(
            model_name="volumeforecast",
            index=models.Index(
                fields=["client", "month", "reference"], name="billing_vol_client__49fc82_idx"
            ),
        ),
    ]

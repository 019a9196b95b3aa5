"""Exclusions name the client's approver apart from who recorded them. Until now the
recorder was stored as the approver, so existing rows keep it as both."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F


def recorder_was_approver(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    exclusions = apps.get_model("billing", "CreditExclusion")
    exclusions.objects.filter(recorded_by="").update(recorded_by=F("approved_by"))


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_usage_source_chat")]

    operations = [
        migrations.AddField(
            model_name="creditexclusion",
            name="recorded_by",
            field=models.CharField(default="", max_length=150),
        ),
        migrations.RunPython(recorder_was_approver, migrations.RunPython.noop),
    ]

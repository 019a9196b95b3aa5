"""Carries this app's change counters (streams "cases" and "surveys") into the one change-sequence
table, `common.ChangeCounter`, before this app's own table is dropped (the next migration), so
no number is ever handed out twice and the consumers' cursors keep matching. Backwards, the
values go back into this app's table."""

from django.db import migrations

APP, MODEL = "cases", "ChangeCounter"


def carry(apps, schema_editor):
    old = apps.get_model(APP, MODEL)
    common = apps.get_model("common", "ChangeCounter")
    for client_id, stream, value in old.objects.values_list("client_id", "stream", "value"):
        row, created = common.objects.get_or_create(
            client_id=client_id, stream=stream, defaults={"value": value}
        )
        if not created and row.value < value:
            row.value = value
            row.save(update_fields=["value"])


def carry_back(apps, schema_editor):
    old = apps.get_model(APP, MODEL)
    common = apps.get_model("common", "ChangeCounter")
    rows = common.objects.filter(stream__in=("cases", "surveys"))
    for client_id, stream, value in rows.values_list("client_id", "stream", "value"):
        old.objects.update_or_create(
            client_id=client_id, stream=stream, defaults={"value": value}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_clock_client_due'),
        ('common', '0002_change_counter'),
    ]

    operations = [migrations.RunPython(carry, carry_back, elidable=False)]

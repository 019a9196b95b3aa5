"""Carries this app's change counters (streams "voice", for calls and agent states) into the one change-sequence
table, `common.ChangeCounter`, before this app's own table is dropped (the next migration), so
no number is ever handed out twice and the consumers' cursors keep matching. Backwards, the
values go back into this app's table."""

from django.db import migrations

APP, MODEL = "channels_voice", "ChangeCounter"


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
    rows = common.objects.filter(stream__in=("voice",))
    for client_id, stream, value in rows.values_list("client_id", "stream", "value"):
        old.objects.update_or_create(
            client_id=client_id, stream=stream, defaults={"value": value}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('channels_voice', '0004_redacted_text'),
        ('common', '0002_change_counter'),
    ]

    operations = [migrations.RunPython(carry, carry_back, elidable=False)]

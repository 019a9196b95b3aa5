"""Carries this app's change counter (`EmailSequence.last`) into the one change-sequence table,
`common.ChangeCounter`, as the client's "email" stream, before this app's own table is
dropped (the next migration), so no number is ever handed out twice. Backwards, the values go
back into this app's table."""

from django.db import migrations

APP, MODEL, STREAM = "channels_email", "EmailSequence", "email"


def carry(apps, schema_editor):
    old = apps.get_model(APP, MODEL)
    common = apps.get_model("common", "ChangeCounter")
    for client_id, last in old.objects.values_list("client_id", "last"):
        row, created = common.objects.get_or_create(
            client_id=client_id, stream=STREAM, defaults={"value": last}
        )
        if not created and row.value < last:
            row.value = last
            row.save(update_fields=["value"])


def carry_back(apps, schema_editor):
    old = apps.get_model(APP, MODEL)
    common = apps.get_model("common", "ChangeCounter")
    rows = common.objects.filter(stream=STREAM)
    for client_id, value in rows.values_list("client_id", "value"):
        old.objects.update_or_create(client_id=client_id, defaults={"last": value})


class Migration(migrations.Migration):

    dependencies = [
        ('channels_email', '0003_redacted_text'),
        ('common', '0002_change_counter'),
    ]

    operations = [migrations.RunPython(carry, carry_back, elidable=False)]

# Recording moved here from the privacy app: its table and index take this app's names (the
# rows and MaterialRequest's foreign key stay as they are), and its content type is relabelled
# so that what names it (permissions, admin log entries) keeps naming it.

from django.db import migrations


def _relabel(apps, schema_editor, old_label, new_label):
    content_types = apps.get_model('contenttypes', 'ContentType').objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=new_label, model='recording').exists():
        content_types.filter(app_label=old_label, model='recording').update(app_label=new_label)


def to_recordings(apps, schema_editor):
    _relabel(apps, schema_editor, 'privacy', 'recordings')


def to_privacy(apps, schema_editor):
    _relabel(apps, schema_editor, 'recordings', 'privacy')


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('privacy', '0003_recording_moved'),
        ('recordings', '0001_initial'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='recording',
            new_name='recordings__client__47ac76_idx',
            old_name='privacy_rec_client__b07435_idx',
        ),
        migrations.AlterModelTable(
            name='recording',
            table=None,
        ),
        migrations.RunPython(to_recordings, to_privacy),
    ]

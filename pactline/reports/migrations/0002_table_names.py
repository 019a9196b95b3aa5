# The moved tables take the reports app's default names; the file table's foreign key follows
# the renamed report table (PostgreSQL by the table's identity, SQLite by its rename). Their
# content types (and so the admin permissions on them) move to the reports app too.

from django.db import migrations

MODELS = ('generatedreport', 'generatedreportfile')


def content_types_to(app_label: str, previous: str):
    def move(apps, schema_editor):
        content_type = apps.get_model('contenttypes', 'ContentType')
        for model in MODELS:
            if not content_type.objects.filter(app_label=app_label, model=model).exists():
                content_type.objects.filter(app_label=previous, model=model).update(
                    app_label=app_label
                )

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0012_reports_moved'),
        ('reports', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='generatedreport', table=None),
        migrations.AlterModelTable(name='generatedreportfile', table=None),
        migrations.RunPython(
            content_types_to('reports', 'metrics'), content_types_to('metrics', 'reports')
        ),
    ]

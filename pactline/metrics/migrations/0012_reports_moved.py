# The generated reports now belong to the reports app (reports 0001 took them over with their
# tables); only the state is dropped here, the rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0011_statement_superseded_per_client'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='GeneratedReportFile'),
                migrations.DeleteModel(name='GeneratedReport'),
            ],
            database_operations=[],
        ),
    ]

# Recording now belongs to the recordings app (recordings 0001 took over its state on the same
# table): re-point the foreign key and drop the model from this app's state. No database change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0002_redacted_text'),
        ('recordings', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='materialrequest',
                    name='recording',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='recordings.recording', verbose_name='recording'),
                ),
                migrations.DeleteModel(name='Recording'),
            ],
            database_operations=[],
        ),
    ]

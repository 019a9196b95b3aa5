# Recording moves here from the privacy app. This migration only takes the model into this
# app's state, on the table privacy created (`privacy_recording`) with its index; privacy 0003
# re-points MaterialRequest.recording and drops its own state, and 0002 renames the table.

import django.db.models.deletion
import pactline.common.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0003_contacts'),
        ('tenancy', '0001_initial'),
        ('privacy', '0002_redacted_text'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Recording',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('recording', 'Recording'), ('transcript', 'Transcript')], max_length=12, verbose_name='kind')),
                        ('file', models.FileField(max_length=300, upload_to='', verbose_name='file')),
                        ('original_name', models.CharField(max_length=255, verbose_name='original name')),
                        ('content_type', models.CharField(max_length=100, verbose_name='content type')),
                        ('size', models.PositiveBigIntegerField(verbose_name='size in bytes')),
                        ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                        ('transcript_text', pactline.common.fields.RedactedTextField(blank=True, verbose_name='transcript')),
                        ('source', models.CharField(blank=True, max_length=200, verbose_name='source reference')),
                        ('created_by_label', models.CharField(blank=True, max_length=150)),
                        ('created_at', models.DateTimeField()),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case', verbose_name='case')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.client')),
                    ],
                    options={
                        'verbose_name': 'recording',
                        'verbose_name_plural': 'recordings',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'privacy_recording',
                        'indexes': [models.Index(fields=['client', 'created_at'], name='privacy_rec_client__b07435_idx')],
                        'constraints': [models.UniqueConstraint(fields=('client', 'case', 'sha256'), name='recording_case_sha256_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

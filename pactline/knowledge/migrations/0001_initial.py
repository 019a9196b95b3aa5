"""The knowledge base's models, taken over from the workforce app with their rows: workforce
0004 gave the tables this app's names, so only the state is created here. Content types (and
with them admin history and permissions) follow the models."""

from typing import Any

import django.db.models.deletion
import pactline.common.fields
from django.db import migrations, models

MODELS = ["knowledgearticle", "knowledgeattachment"]


def _move_content_types(apps: Any, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model in MODELS:
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps: Any, schema_editor: Any) -> None:
    _move_content_types(apps, "workforce", "knowledge")


def content_types_backwards(apps: Any, schema_editor: Any) -> None:
    _move_content_types(apps, "knowledge", "workforce")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenancy", "0001_initial"),
        ("workforce", "0004_knowledge_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='KnowledgeArticle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', pactline.common.fields.RedactedCharField(max_length=300, verbose_name='title')),
                        ('body', pactline.common.fields.RedactedTextField(verbose_name='body')),
                        ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], default='en', max_length=10, verbose_name='language')),
                        ('tags', models.JSONField(blank=True, default=list, verbose_name='tags')),
                        ('published', models.BooleanField(default=False, verbose_name='published')),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.client')),
                    ],
                    options={
                        'verbose_name': 'knowledge article',
                        'verbose_name_plural': 'knowledge articles',
                        'ordering': ['title', 'id'],
                        'indexes': [models.Index(fields=['client', 'published', 'title'], name='knowledge_k_client__f021da_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='KnowledgeAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=300, upload_to='knowledge/', verbose_name='file')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('content_type', models.CharField(max_length=100, verbose_name='content type')),
                        ('size', models.PositiveBigIntegerField(verbose_name='size in bytes')),
                        ('created_at', models.DateTimeField()),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='knowledge.knowledgearticle')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.client')),
                    ],
                    options={
                        'verbose_name': 'knowledge attachment',
                        'verbose_name_plural': 'knowledge attachments',
                        'ordering': ['article_id', 'name', 'id'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]

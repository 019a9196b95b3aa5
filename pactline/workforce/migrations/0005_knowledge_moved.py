"""The knowledge base's models now belong to `pactline.knowledge` (knowledge 0001): only the
state is dropped here; the tables and their rows stay, under the new app's names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0004_knowledge_tables"),
        ("knowledge", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="KnowledgeAttachment"),
                migrations.DeleteModel(name="KnowledgeArticle"),
            ],
        ),
    ]

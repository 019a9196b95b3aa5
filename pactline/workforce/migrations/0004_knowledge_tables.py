"""The knowledge base moves to its own app (`pactline.knowledge`), rows kept: its tables, their
index and the full-text search objects take the new app's names here; knowledge 0001 takes the
models' state over and workforce 0005 lets it go."""

from typing import Any

from django.db import migrations

RENAMED_SQLITE = [("workforce_knowledge_fts", "knowledge_article_fts")]
RENAMED_POSTGRESQL = [
    ("workforce_knowledge_trgm", "knowledge_article_trgm"),
    ("workforce_knowledge_tsv", "knowledge_article_tsv"),
]


class VendorRunSQL(migrations.RunSQL):
    """RunSQL that only runs on one database vendor (the other's search is built differently)."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    dependencies = [("workforce", "0003_redacted_text")]

    operations = [
        migrations.AlterModelTable(name="knowledgearticle", table="knowledge_knowledgearticle"),
        migrations.AlterModelTable(
            name="knowledgeattachment", table="knowledge_knowledgeattachment"
        ),
        migrations.RenameIndex(
            model_name="knowledgearticle",
            new_name="knowledge_k_client__f021da_idx",
            old_name="workforce_k_client__48887b_idx",
        ),
        VendorRunSQL(
            "sqlite",
            [f"ALTER TABLE {old} RENAME TO {new}" for old, new in RENAMED_SQLITE],
            [f"ALTER TABLE {new} RENAME TO {old}" for old, new in RENAMED_SQLITE],
        ),
        VendorRunSQL(
            "postgresql",
            [f"ALTER INDEX {old} RENAME TO {new}" for old, new in RENAMED_POSTGRESQL],
            [f"ALTER INDEX {new} RENAME TO {old}" for old, new in RENAMED_POSTGRESQL],
        ),
    ]

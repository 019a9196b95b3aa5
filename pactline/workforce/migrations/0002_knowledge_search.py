"""Full-text search over knowledge articles, per database.

SQLite: an FTS5 table with the trigram tokenizer (Chinese has no spaces between words, so
words cannot be tokenized; trigrams find any substring of 3+ characters). The services keep it
in step with the articles, row id = article id.

PostgreSQL: pg_trgm GIN index on the searched text (substring search with ILIKE, ranking by
similarity) and a GIN index on its 'simple' tsvector (English words).
"""

from typing import Any

from django.db import migrations

SEARCHED = "(title || ' ' || tags::text || ' ' || body)"


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
    dependencies = [("workforce", "0001_initial")]

    operations = [
        VendorRunSQL(
            "sqlite",
            [
                "CREATE VIRTUAL TABLE workforce_knowledge_fts USING fts5("
                "title, tags, body, tokenize='trigram')"
            ],
            ["DROP TABLE IF EXISTS workforce_knowledge_fts"],
        ),
        VendorRunSQL(
            "postgresql",
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX workforce_knowledge_trgm ON workforce_knowledgearticle "
                f"USING gin ({SEARCHED} gin_trgm_ops)",
                "CREATE INDEX workforce_knowledge_tsv ON workforce_knowledgearticle "
                f"USING gin (to_tsvector('simple', {SEARCHED}))",
            ],
            [
                "DROP INDEX IF EXISTS workforce_knowledge_tsv",
                "DROP INDEX IF EXISTS workforce_knowledge_trgm",
            ],
        ),
    ]

"""A merchant user's search index (PostgreSQL only; decision 0077).

A GIN index over each public document's words plus one lexeme naming its merchant ("M12": upper
case, which ``to_tsvector`` never writes). A merchant's query ANDs its words with that lexeme,
so GIN intersects them with the merchant's ~3,000 documents inside one index; before, the
bitmap of a common word was built over all six million documents (≈ 530,000 entries, 130 ms)
and then ANDed with the merchant's b-tree. The ``(merchant_id, id)`` b-tree it replaces is
dropped. On a large table build the index first with CREATE INDEX CONCURRENTLY under the same
name (IF NOT EXISTS), with ``maintenance_work_mem`` raised (≈ 2 min at 6,000,000 documents).
"""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS reports_search_merchant_tsv ON reports_search "
    "USING gin ((tsv || ('M' || merchant_id)::tsvector)) WHERE NOT internal"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS reports_search_merchant")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS reports_search_merchant ON reports_search (merchant_id, id)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS reports_search_merchant_tsv")


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_search_attachment_names")]

    operations = [migrations.RunPython(forwards, backwards)]

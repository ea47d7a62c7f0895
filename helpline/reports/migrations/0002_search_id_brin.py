"""A BRIN index on the search documents' id (PostgreSQL only; decision 0075).

The search first looks at the newest 1/16 of the id range: a BRIN bitmap of that range costs
~0.4 ms where the primary key's bitmap cost ~20 ms (1/16 of 6,000,000 documents). Documents
are appended as tickets and messages arrive, so the newest ids sit in the newest blocks. On a
large table build it first with CREATE INDEX CONCURRENTLY under the same name (IF NOT EXISTS).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS reports_search_id_brin ON reports_search USING brin (id)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reports_search_id_brin")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]

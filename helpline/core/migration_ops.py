"""Migration helpers shared by the apps' migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def drop_single_column_indexes(*pairs: tuple[str, str]) -> migrations.RunPython:
    """Drop the automatic index Django made for each (table, column) foreign key, by the name
    Django gave it, on any engine — without the table rebuild that SQLite's ``AlterField``
    does (which would also drop the search triggers on ``tickets_ticket``). Pair it with the
    ``AlterField(db_index=False)`` as state only (``SeparateDatabaseAndState``)."""

    def names(schema_editor: Any) -> list[tuple[str, str, str]]:
        quote = schema_editor.quote_name
        return [
            (quote(schema_editor._create_index_name(table, [column], suffix="")), table, column)
            for table, column in pairs
        ]

    def forwards(apps: Any, schema_editor: Any) -> None:
        for name, _table, _column in names(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    def backwards(apps: Any, schema_editor: Any) -> None:
        quote = schema_editor.quote_name
        for name, table, column in names(schema_editor):
            schema_editor.execute(f"CREATE INDEX {name} ON {quote(table)} ({quote(column)})")

    return migrations.RunPython(forwards, backwards)

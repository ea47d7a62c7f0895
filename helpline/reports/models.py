"""The reports app keeps no Django models.

Its one table is the search index (``reports_search``), created by a migration per database
engine with the triggers that keep it current (see ``search.py`` and decision 0040): an FTS5
virtual table on SQLite, a table with a ``tsvector`` column and a GIN index on PostgreSQL.
"""

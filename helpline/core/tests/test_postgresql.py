"""What the PostgreSQL connection settings do on a real server (decision 0083)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection


def test_connections_prepare_a_statement_used_five_times(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    sql = "SELECT count(*) FROM django_migrations WHERE app = %s"
    with connection.cursor() as cursor:
        for n in range(1, 8):
            cursor.execute(sql, ["helpline-test"])
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
            mine = [s for s in prepared if "django_migrations WHERE app = $1" in s]
            assert len(mine) == (n > 5), n  # prepared from the 6th use; $1: bound by the server

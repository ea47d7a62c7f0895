"""Each person's open tickets by priority as a row kept by the database (decision 0184):
triggers on the tickets table move it in the same statement as any insert, delete or change
of assignee, status or priority, whoever writes (services, ``QuerySet.update``, the admin, raw
SQL). Filled from the tickets that exist. The covering index of decision 0130 goes: routing no
longer counts tickets."""

from django.conf import settings
from django.db import migrations, models

# Keep in step with tickets.models.OPEN_STATUSES (test_open_load.py checks both ways).
OPEN = "('new', 'triaged', 'in_progress', 'waiting_on_merchant', 'awaiting_approval')"
COLUMNS = "c1, c2, c3, c4, other"


def _counts(row: str) -> list[str]:
    """One 0/1 per column for the ticket ``row`` (NEW or OLD): which priority it counts as."""
    p = f"{row}.priority"
    return [f"CASE WHEN {p} = 'C{i}' THEN 1 ELSE 0 END" for i in range(1, 5)] + [
        f"CASE WHEN {p} IN ('C1', 'C2', 'C3', 'C4') THEN 0 ELSE 1 END"
    ]


def _add(row: str, sign: str) -> str:
    pairs = zip(COLUMNS.split(", "), _counts(row), strict=True)
    return ", ".join(f"{col} = {col} {sign} ({expr})" for col, expr in pairs)


def _counted(row: str) -> str:
    return f"{row}.assignee_id IS NOT NULL AND {row}.status IN {OPEN}"


def _upsert(row: str) -> str:
    return (
        f"INSERT INTO tickets_openload (user_id, {COLUMNS}) "
        f"SELECT {row}.assignee_id, {', '.join(_counts(row))} WHERE {_counted(row)} "
        f"ON CONFLICT (user_id) DO UPDATE SET "
        + ", ".join(f"{c} = tickets_openload.{c} + excluded.{c}" for c in COLUMNS.split(", "))
    )


def _subtract(row: str) -> str:
    return (
        f"UPDATE tickets_openload SET {_add(row, '-')} "  # noqa: S608 - constants, no input
        f"WHERE user_id = {row}.assignee_id AND {row}.status IN {OPEN}"
    )


CHANGED = (
    "OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status IS NOT NEW.status "
    "OR OLD.priority IS NOT NEW.priority"
)

SQLITE = [
    f"CREATE TRIGGER ticket_open_load_insert AFTER INSERT ON tickets_ticket "
    f"WHEN {_counted('NEW')} BEGIN {_upsert('NEW')}; END",
    f"CREATE TRIGGER ticket_open_load_delete AFTER DELETE ON tickets_ticket "
    f"WHEN {_counted('OLD')} BEGIN {_subtract('OLD')}; END",
    f"CREATE TRIGGER ticket_open_load_update AFTER UPDATE OF assignee_id, status, priority "
    f"ON tickets_ticket WHEN {CHANGED} BEGIN {_subtract('OLD')}; {_upsert('NEW')}; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS ticket_open_load_{op}" for op in ("insert", "delete", "update")
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION ticket_open_load() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_subtract("OLD")};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_upsert("NEW")};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER ticket_open_load_insert AFTER INSERT ON tickets_ticket "
    "FOR EACH ROW EXECUTE FUNCTION ticket_open_load()",
    "CREATE TRIGGER ticket_open_load_delete AFTER DELETE ON tickets_ticket "
    "FOR EACH ROW EXECUTE FUNCTION ticket_open_load()",
    "CREATE TRIGGER ticket_open_load_update AFTER UPDATE OF assignee_id, status, priority "
    "ON tickets_ticket FOR EACH ROW WHEN ("
    + CHANGED.replace("IS NOT", "IS DISTINCT FROM")
    + ") EXECUTE FUNCTION ticket_open_load()",
]
POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS ticket_open_load_{op} ON tickets_ticket"
        for op in ("insert", "delete", "update")
    ),
    "DROP FUNCTION IF EXISTS ticket_open_load()",
]

FILL = (
    f"INSERT INTO tickets_openload (user_id, {COLUMNS}) "  # noqa: S608 - constants
    "SELECT assignee_id, "
    + ", ".join(
        [f"SUM(CASE WHEN priority = 'C{i}' THEN 1 ELSE 0 END)" for i in range(1, 5)]
        + ["SUM(CASE WHEN priority IN ('C1', 'C2', 'C3', 'C4') THEN 0 ELSE 1 END)"]
    )
    + f" FROM tickets_ticket WHERE assignee_id IS NOT NULL AND status IN {OPEN} "
    "GROUP BY assignee_id"
)


def triggers(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in [*(POSTGRES if postgres else SQLITE), FILL]:
        schema_editor.execute(sql)


def untriggers(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql)
    schema_editor.execute("DELETE FROM tickets_openload")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_event_kind_root_cause"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_assignee_load"),
        migrations.CreateModel(
            name="OpenLoad",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="open_load",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("c1", models.IntegerField(default=0)),
                ("c2", models.IntegerField(default=0)),
                ("c3", models.IntegerField(default=0)),
                ("c4", models.IntegerField(default=0)),
                ("other", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(triggers, untriggers),
    ]

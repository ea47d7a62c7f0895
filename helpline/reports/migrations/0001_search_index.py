"""The full-text search index and the triggers that keep it current (decision 0040).

One document per ticket (subject + description, id = ticket id × 4) and one per message
(body, id = message id × 4 + 1; × 4 + 2 is kept for attachment names). Database triggers write
it, so no write path (services, admin, bulk loads, raw SQL) can leave it stale.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE VIRTUAL TABLE reports_search USING fts5(
        subject, body, ticket_id UNINDEXED, merchant_id UNINDEXED, internal UNINDEXED,
        tokenize = 'porter unicode61 remove_diacritics 2 categories ''L* N* Co M*'''
    )
    """,
    """
    CREATE TRIGGER reports_search_ticket_ai AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
        VALUES (new.id * 4, new.subject, new.description, new.id, new.merchant_id, 0);
    END
    """,
    """
    CREATE TRIGGER reports_search_ticket_au
    AFTER UPDATE OF subject, description, merchant_id ON tickets_ticket BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4;
        INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
        VALUES (new.id * 4, new.subject, new.description, new.id, new.merchant_id, 0);
    END
    """,
    """
    CREATE TRIGGER reports_search_ticket_ad AFTER DELETE ON tickets_ticket BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4;
    END
    """,
    """
    CREATE TRIGGER reports_search_message_ai AFTER INSERT ON tickets_ticketmessage BEGIN
        INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
        VALUES (new.id * 4 + 1, '', new.body, new.ticket_id,
                (SELECT merchant_id FROM tickets_ticket WHERE id = new.ticket_id), new.internal);
    END
    """,
    """
    CREATE TRIGGER reports_search_message_au
    AFTER UPDATE OF body, internal, ticket_id ON tickets_ticketmessage BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4 + 1;
        INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
        VALUES (new.id * 4 + 1, '', new.body, new.ticket_id,
                (SELECT merchant_id FROM tickets_ticket WHERE id = new.ticket_id), new.internal);
    END
    """,
    """
    CREATE TRIGGER reports_search_message_ad AFTER DELETE ON tickets_ticketmessage BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4 + 1;
    END
    """,
    """
    INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
    SELECT id * 4, subject, description, id, merchant_id, 0 FROM tickets_ticket
    """,
    """
    INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
    SELECT m.id * 4 + 1, '', m.body, m.ticket_id, t.merchant_id, m.internal
    FROM tickets_ticketmessage m JOIN tickets_ticket t ON t.id = m.ticket_id
    """,
]
SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS reports_search_{source}_{op}"
        for source in ("ticket", "message")
        for op in ("ai", "au", "ad")
    ),
    "DROP TABLE IF EXISTS reports_search",
]

POSTGRES = [
    """
    CREATE TABLE reports_search (
        id bigint PRIMARY KEY,
        ticket_id bigint NOT NULL,
        merchant_id bigint NOT NULL,
        internal boolean NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, subject), 'A')
            || setweight(to_tsvector('english'::regconfig, body), 'B')
        ) STORED
    )
    """,
    "CREATE INDEX reports_search_tsv ON reports_search USING gin (tsv)",
    "CREATE INDEX reports_search_ticket ON reports_search (ticket_id)",
    # A merchant's search walks their own documents, newest first.
    "CREATE INDEX reports_search_merchant ON reports_search (merchant_id, id)",
    """
    CREATE FUNCTION reports_search_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM reports_search WHERE id = OLD.id * 4;
            RETURN NULL;
        END IF;
        INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
        VALUES (NEW.id * 4, NEW.id, NEW.merchant_id, false, NEW.subject, NEW.description)
        ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
            merchant_id = EXCLUDED.merchant_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reports_search_ticket
    AFTER INSERT OR DELETE OR UPDATE OF subject, description, merchant_id ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION reports_search_ticket()
    """,
    """
    CREATE FUNCTION reports_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM reports_search WHERE id = OLD.id * 4 + 1;
            RETURN NULL;
        END IF;
        INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
        SELECT NEW.id * 4 + 1, NEW.ticket_id, t.merchant_id, NEW.internal, '', NEW.body
        FROM tickets_ticket t WHERE t.id = NEW.ticket_id
        ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, internal = EXCLUDED.internal,
            ticket_id = EXCLUDED.ticket_id, merchant_id = EXCLUDED.merchant_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reports_search_message
    AFTER INSERT OR DELETE OR UPDATE OF body, internal, ticket_id ON tickets_ticketmessage
    FOR EACH ROW EXECUTE FUNCTION reports_search_message()
    """,
    """
    INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
    SELECT id * 4, id, merchant_id, false, subject, description FROM tickets_ticket
    """,
    """
    INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
    SELECT m.id * 4 + 1, m.ticket_id, t.merchant_id, m.internal, '', m.body
    FROM tickets_ticketmessage m JOIN tickets_ticket t ON t.id = m.ticket_id
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_search_ticket ON tickets_ticket",
    "DROP TRIGGER IF EXISTS reports_search_message ON tickets_ticketmessage",
    "DROP FUNCTION IF EXISTS reports_search_ticket()",
    "DROP FUNCTION IF EXISTS reports_search_message()",
    "DROP TABLE IF EXISTS reports_search",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_ticket_master_incident")]

    operations = [migrations.RunPython(forwards, backwards)]

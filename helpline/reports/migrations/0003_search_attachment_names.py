"""Attachment names in the search index (decision 0076), kept by triggers like the rest.

One document per attachment: id = attachment id × 4 + 2 (the slot decision 0040 kept), the
file name as its body, ``internal`` copied from the message it came with (an attachment on an
internal note is as hidden as the note; one without a message — a ticket's description — is
public, the same rule as ``tickets.attachments.attachment_get``). Triggers follow an attachment
added, renamed, moved to another ticket or message (a merge) and deleted; a message turned
internal or public takes its files' documents with it; and a ticket given to another merchant
takes every document of the ticket with it (messages' too, which the first triggers missed).

PostgreSQL's parser reads ``invoice-2211.pdf`` as one "host" token, so "invoice" would not find
it: the indexed body puts a private-use separator (U+E002, never typed, dropped when the
snippet is shown) around each run of punctuation, which makes every part a word of its own
while the headline still shows the name as it was written. SQLite's unicode61 tokenizer already
splits at punctuation; there the body is the name itself. Existing attachments are indexed here.
"""

from django.db import migrations

SEP = "\ue002"

SQLITE_DOC = """
    INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
    VALUES (new.id * 4 + 2, '', new.filename, new.ticket_id,
            (SELECT merchant_id FROM tickets_ticket WHERE id = new.ticket_id),
            coalesce((SELECT internal FROM tickets_ticketmessage WHERE id = new.message_id), 0));
"""

SQLITE = [
    f"""
    CREATE TRIGGER reports_search_attachment_ai AFTER INSERT ON tickets_attachment BEGIN
        {SQLITE_DOC}
    END
    """,
    f"""
    CREATE TRIGGER reports_search_attachment_au
    AFTER UPDATE OF filename, ticket_id, message_id ON tickets_attachment BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4 + 2;
        {SQLITE_DOC}
    END
    """,  # noqa: S608 — our own constant, no value
    """
    CREATE TRIGGER reports_search_attachment_ad AFTER DELETE ON tickets_attachment BEGIN
        DELETE FROM reports_search WHERE rowid = old.id * 4 + 2;
    END
    """,
    """
    CREATE TRIGGER reports_search_message_files AFTER UPDATE OF internal ON tickets_ticketmessage
    WHEN old.internal IS NOT new.internal BEGIN
        UPDATE reports_search SET internal = new.internal
        WHERE rowid IN (SELECT id * 4 + 2 FROM tickets_attachment WHERE message_id = new.id);
    END
    """,
    """
    CREATE TRIGGER reports_search_ticket_merchant AFTER UPDATE OF merchant_id ON tickets_ticket
    WHEN old.merchant_id IS NOT new.merchant_id BEGIN
        UPDATE reports_search SET merchant_id = new.merchant_id WHERE ticket_id = new.id;
    END
    """,
    """
    INSERT INTO reports_search (rowid, subject, body, ticket_id, merchant_id, internal)
    SELECT a.id * 4 + 2, '', a.filename, a.ticket_id, t.merchant_id, coalesce(m.internal, 0)
    FROM tickets_attachment a JOIN tickets_ticket t ON t.id = a.ticket_id
    LEFT JOIN tickets_ticketmessage m ON m.id = a.message_id
    """,
]
SQLITE_REVERSE = [
    "DELETE FROM reports_search WHERE rowid % 4 = 2",
    *(
        f"DROP TRIGGER IF EXISTS reports_search_{name}"
        for name in (
            "attachment_ai",
            "attachment_au",
            "attachment_ad",
            "message_files",
            "ticket_merchant",
        )
    ),
]

POSTGRES = [
    # The name as indexed: punctuation runs fenced by SEP, so the parser sees separate words.
    f"""
    CREATE FUNCTION reports_search_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT regexp_replace(name, '([^[:alnum:][:space:]]+)', '{SEP}\\1{SEP}', 'g') $$
    """,
    """
    CREATE FUNCTION reports_search_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM reports_search WHERE id = OLD.id * 4 + 2;
            RETURN NULL;
        END IF;
        INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
        SELECT NEW.id * 4 + 2, NEW.ticket_id, t.merchant_id,
            coalesce((SELECT m.internal FROM tickets_ticketmessage m
                      WHERE m.id = NEW.message_id), false),
            '', reports_search_name(NEW.filename)
        FROM tickets_ticket t WHERE t.id = NEW.ticket_id
        ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, internal = EXCLUDED.internal,
            ticket_id = EXCLUDED.ticket_id, merchant_id = EXCLUDED.merchant_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reports_search_attachment
    AFTER INSERT OR DELETE OR UPDATE OF filename, ticket_id, message_id ON tickets_attachment
    FOR EACH ROW EXECUTE FUNCTION reports_search_attachment()
    """,
    """
    CREATE FUNCTION reports_search_message_files() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE reports_search SET internal = NEW.internal
        WHERE id IN (SELECT a.id * 4 + 2 FROM tickets_attachment a WHERE a.message_id = NEW.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reports_search_message_files
    AFTER UPDATE OF internal ON tickets_ticketmessage
    FOR EACH ROW WHEN (OLD.internal IS DISTINCT FROM NEW.internal)
    EXECUTE FUNCTION reports_search_message_files()
    """,
    """
    CREATE FUNCTION reports_search_ticket_merchant() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE reports_search SET merchant_id = NEW.merchant_id WHERE ticket_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reports_search_ticket_merchant
    AFTER UPDATE OF merchant_id ON tickets_ticket
    FOR EACH ROW WHEN (OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
    EXECUTE FUNCTION reports_search_ticket_merchant()
    """,
    """
    INSERT INTO reports_search (id, ticket_id, merchant_id, internal, subject, body)
    SELECT a.id * 4 + 2, a.ticket_id, t.merchant_id, coalesce(m.internal, false), '',
        reports_search_name(a.filename)
    FROM tickets_attachment a JOIN tickets_ticket t ON t.id = a.ticket_id
    LEFT JOIN tickets_ticketmessage m ON m.id = a.message_id
    """,
]
POSTGRES_REVERSE = [
    "DELETE FROM reports_search WHERE mod(id, 4) = 2",
    "DROP TRIGGER IF EXISTS reports_search_attachment ON tickets_attachment",
    "DROP TRIGGER IF EXISTS reports_search_message_files ON tickets_ticketmessage",
    "DROP TRIGGER IF EXISTS reports_search_ticket_merchant ON tickets_ticket",
    "DROP FUNCTION IF EXISTS reports_search_attachment()",
    "DROP FUNCTION IF EXISTS reports_search_message_files()",
    "DROP FUNCTION IF EXISTS reports_search_ticket_merchant()",
    "DROP FUNCTION IF EXISTS reports_search_name(text)",
]


def _run(postgres: list[str], sqlite: list[str]):
    def run(apps, schema_editor):
        pg = schema_editor.connection.vendor == "postgresql"
        for sql in postgres if pg else sqlite:
            schema_editor.execute(sql)

    return run


forwards = _run(POSTGRES, SQLITE)
backwards = _run(POSTGRES_REVERSE, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_search_id_brin"),
        ("tickets", "0004_merchant_open_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""PostgreSQL: the words of the search documents, with each word's documents in name order.

pg_trgm finds the documents that contain a word but in no order, so the first page *by name*
of a word found in tens of thousands of documents meant reading them all, or walking every
document in name order until a page was found. Here each distinct word of the documents (a
run of characters between spaces, three or more long) is listed once, with a trigram index
over the list, and each document's words point to it by the document's place in name order:
the first page of a common word is read off an index, whatever the number of matches. A
trigger keeps both in step with `clients_searchdocument`; `search.bulk_load()` switches it off
for a bulk load and rebuilds them once. SQLite gets the same from its FTS5 index (migration
0004), so nothing is created there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION clients_searchdocument_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kamrad.search_bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.text = OLD.text AND NEW.organization_id = OLD.organization_id
            AND OLD.sort_key IS NOT NULL AND NEW.sort_key IS NOT NULL THEN
        IF NEW.sort_key <> OLD.sort_key THEN
            UPDATE clients_searchposting SET sort_key = NEW.sort_key
            WHERE organization_id = NEW.organization_id;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM clients_searchposting WHERE organization_id = OLD.organization_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.sort_key IS NOT NULL THEN
        INSERT INTO clients_searchword (word)
        SELECT DISTINCT w FROM unnest(string_to_array(NEW.text, ' ')) AS w WHERE length(w) >= 3
        ON CONFLICT (md5(word)) DO NOTHING;
        INSERT INTO clients_searchposting (word_id, sort_key, organization_id)
        SELECT sw.id, NEW.sort_key, NEW.organization_id
        FROM clients_searchword AS sw
        WHERE md5(sw.word) IN (
            SELECT md5(w) FROM unnest(string_to_array(NEW.text, ' ')) AS w WHERE length(w) >= 3
        );
    END IF;
    RETURN NULL;
END
$$
"""

# A flush (TRUNCATE) of the documents fires no row trigger: it empties the words as well.
TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION clients_searchdocument_words_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE clients_searchposting, clients_searchword;
    RETURN NULL;
END
$$
"""

POSTGRES_UP = [
    # The words: md5 keeps the unique index within a B-tree entry's size for any length.
    "CREATE TABLE clients_searchword (id bigserial PRIMARY KEY, word text NOT NULL)",
    "CREATE UNIQUE INDEX clients_searchword_md5 ON clients_searchword (md5(word))",
    "CREATE INDEX clients_searchword_trgm ON clients_searchword USING gin (word gin_trgm_ops)",
    "CREATE TABLE clients_searchposting ("
    "word_id bigint NOT NULL, sort_key bigint NOT NULL, organization_id bigint NOT NULL)",
    # (word, place in name order): a word's documents in name order, read from the index alone.
    "CREATE INDEX clients_searchposting_word ON clients_searchposting (word_id, sort_key)",
    "CREATE INDEX clients_searchposting_org ON clients_searchposting (organization_id)",
    FUNCTION,
    "CREATE TRIGGER clients_searchdocument_words "
    "AFTER INSERT OR UPDATE OR DELETE ON clients_searchdocument "
    "FOR EACH ROW EXECUTE FUNCTION clients_searchdocument_words()",
    TRUNCATE_FUNCTION,
    "CREATE TRIGGER clients_searchdocument_words_truncate "
    "AFTER TRUNCATE ON clients_searchdocument "
    "FOR EACH STATEMENT EXECUTE FUNCTION clients_searchdocument_words_truncate()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS clients_searchdocument_words_truncate ON clients_searchdocument",
    "DROP FUNCTION IF EXISTS clients_searchdocument_words_truncate()",
    "DROP TRIGGER IF EXISTS clients_searchdocument_words ON clients_searchdocument",
    "DROP FUNCTION IF EXISTS clients_searchdocument_words()",
    "DROP TABLE IF EXISTS clients_searchposting",
    "DROP TABLE IF EXISTS clients_searchword",
]


def _up(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in POSTGRES_UP:
        schema_editor.execute(sql)
    from kamrad.clients.search import rebuild_words

    with schema_editor.connection.cursor() as cursor:
        rebuild_words(cursor)


def _down(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in POSTGRES_DOWN:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_referred_by")]

    operations = [migrations.RunPython(_up, _down)]

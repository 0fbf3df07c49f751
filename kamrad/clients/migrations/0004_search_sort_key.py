"""Search documents carry their organization's place in name order; on SQLite the FTS5 index
takes it as its rowid, so matches come out of the index in name order (see search.py)."""

from django.db import migrations, models

GAP = 1 << 32

NUMBER = (
    "UPDATE clients_searchdocument AS d SET sort_key = r.k FROM ("
    "SELECT id, row_number() OVER (ORDER BY name, id) * %s AS k "
    "FROM clients_organization) AS r WHERE r.id = d.organization_id"
)

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS clients_searchdocument_ai",
    "DROP TRIGGER IF EXISTS clients_searchdocument_ad",
    "DROP TRIGGER IF EXISTS clients_searchdocument_au",
    "DROP TABLE IF EXISTS clients_searchfts",
    "CREATE VIRTUAL TABLE clients_searchfts USING fts5("
    "text, content='clients_searchdocument', content_rowid='sort_key', tokenize='trigram')",
    "INSERT INTO clients_searchfts(clients_searchfts) VALUES ('rebuild')",
    "CREATE TRIGGER clients_searchdocument_ai AFTER INSERT ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(rowid, text) VALUES (new.sort_key, new.text); END",
    "CREATE TRIGGER clients_searchdocument_ad AFTER DELETE ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
    "VALUES ('delete', old.sort_key, old.text); END",
    "CREATE TRIGGER clients_searchdocument_au AFTER UPDATE ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
    "VALUES ('delete', old.sort_key, old.text); "
    "INSERT INTO clients_searchfts(rowid, text) VALUES (new.sort_key, new.text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS clients_searchdocument_ai",
    "DROP TRIGGER IF EXISTS clients_searchdocument_ad",
    "DROP TRIGGER IF EXISTS clients_searchdocument_au",
    "DROP TABLE IF EXISTS clients_searchfts",
    "CREATE VIRTUAL TABLE clients_searchfts USING fts5("
    "text, content='clients_searchdocument', content_rowid='organization_id', "
    "tokenize='trigram')",
    "INSERT INTO clients_searchfts(clients_searchfts) VALUES ('rebuild')",
    "CREATE TRIGGER clients_searchdocument_ai AFTER INSERT ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(rowid, text) VALUES (new.organization_id, new.text); END",
    "CREATE TRIGGER clients_searchdocument_ad AFTER DELETE ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
    "VALUES ('delete', old.organization_id, old.text); END",
    "CREATE TRIGGER clients_searchdocument_au AFTER UPDATE ON clients_searchdocument BEGIN "
    "INSERT INTO clients_searchfts(clients_searchfts, rowid, text) "
    "VALUES ('delete', old.organization_id, old.text); "
    "INSERT INTO clients_searchfts(rowid, text) VALUES (new.organization_id, new.text); END",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # Number first (the old triggers would re-index row by row), then rebuild once.
        for sql in SQLITE_UP[:4]:
            schema_editor.execute(sql)
        schema_editor.execute(NUMBER, [GAP])
        for sql in SQLITE_UP[4:]:
            schema_editor.execute(sql)
    else:
        schema_editor.execute(NUMBER, [GAP])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_search_index")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="sort_key",
            field=models.BigIntegerField(db_index=True, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]

"""The trigram index behind organization search (see kamrad/clients/search.py)."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE clients_searchfts USING fts5("
    "text, content='clients_searchdocument', content_rowid='organization_id', "
    "tokenize='trigram')",
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
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS clients_searchdocument_ai",
    "DROP TRIGGER IF EXISTS clients_searchdocument_ad",
    "DROP TRIGGER IF EXISTS clients_searchdocument_au",
    "DROP TABLE IF EXISTS clients_searchfts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS clients_searchdocument_trgm "
    "ON clients_searchdocument USING gin (text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS clients_searchdocument_trgm"]


def _run(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]

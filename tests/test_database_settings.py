"""PostgreSQL binds parameters on the server and prepares the statements a connection repeats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.test_deploy_check import ROOT, clean_environment

PRINT_OPTIONS = (
    "import json; from kamrad import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def options(tmp_path: Path, **env: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS],
        cwd=ROOT,
        env=clean_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_binds_on_the_server_and_prepares_a_repeated_statement(tmp_path):
    url = "postgresql://kamrad@db.example:5432/kamrad"
    assert options(tmp_path, KAMRAD_DATABASE_URL=url) == {
        "server_side_binding": True,
        "prepare_threshold": 2,
    }
    assert options(tmp_path, KAMRAD_DATABASE_URL=url, KAMRAD_DB_PREPARE_THRESHOLD="5") == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_a_pooler_in_transaction_mode_can_turn_preparing_off(tmp_path):
    url = "postgresql://kamrad@db.example:5432/kamrad"
    assert options(tmp_path, KAMRAD_DATABASE_URL=url, KAMRAD_DB_PREPARE_THRESHOLD="0") == {
        "server_side_binding": True,
        "prepare_threshold": None,
    }


def test_sqlite_keeps_its_own_options(tmp_path):
    sqlite = options(tmp_path)
    assert sqlite["transaction_mode"] == "IMMEDIATE"
    assert "server_side_binding" not in sqlite


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_the_server_keeps_a_statement_run_twice_prepared():
    statement = "SELECT %s::int + 1 AS kamrad_prepared_probe"

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE '%%kamrad_prepared_probe%%' "
                "AND statement NOT LIKE '%%pg_prepared_statements%%'"
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute(statement, [1])
        assert cursor.fetchone() == (2,)
        assert prepared() == 0
        for value in (2, 3):
            cursor.execute(statement, [value])
            assert cursor.fetchone() == (value + 1,)
    assert prepared() == 1

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows as a CSV file: `write_csv([header, row, ...], delimiter=";", encoding=...)`."""

    def write(
        rows: list[list[str]],
        *,
        delimiter: str = ";",
        encoding: str = "utf-8",
        name: str = "file.csv",
    ) -> Path:
        path = tmp_path / name
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(rows)
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return write


@pytest.fixture(autouse=True)
def _imports_in_the_request(settings, tmp_path: Path) -> None:
    settings.KAMRAD_IMPORT_BACKGROUND = False
    settings.VAR_DIR = tmp_path / "var"

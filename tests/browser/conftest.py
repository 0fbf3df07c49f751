"""Browser tests: pytest-playwright on Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.testcases import LiveServerThread

from kamrad.lib import background

# The live server and the tests' own database calls run beside Playwright's event loop in this
# thread; Django refuses synchronous database access there unless told it is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    On SQLite the tests' database lives in memory and the server's threads share its one
    connection; a card that loads several sections at once (htmx) would use it from several
    threads together. Requests still arrive on their own threads (a browser's idle keep-alive
    connection must not block the others); only the application runs one at a time.
    Reentrant: work a request runs in its own thread (see `_background_in_turn`) takes it too.
    """

    _lock = threading.RLock()

    def set_app(self, application: Any) -> None:
        def serial(environ: dict[str, Any], start_response: Any) -> Any:
            with self._lock:
                return application(environ, start_response)

        super().set_app(serial)


LiveServerThread.server_class = _OneRequestAtATime

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "Chromium not installed: browser tests SKIPPED (apt-get install chromium)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_report_header(config: pytest.Config) -> str | None:
    if CHROMIUM.exists():
        return None
    return f"!!! {SKIP_REASON} !!!"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _background_in_turn(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Work a page starts in a thread (a recompute, an import) runs between requests, and is
    over before the test's data is flushed.

    The in-memory SQLite database is shared between connections by table locks, which fail
    at once instead of waiting: a thread writing the run's progress while a poll reads it
    died with "database table is locked". So the thread takes the server's lock (a page's
    poll waits for the work, then sees it finished), really closes its own connection (Django
    keeps an in-memory one open, with whatever it still holds), and the test waits for it.
    """
    started: list[threading.Thread] = []
    start = background.start

    def in_turn(name: str, work: Any, *args: Any) -> threading.Thread:
        def run(*args: Any) -> None:
            with _OneRequestAtATime._lock:
                try:
                    work(*args)
                finally:
                    if connection.vendor == "sqlite" and connection.is_in_memory_db():
                        BaseDatabaseWrapper.close(connection)

        thread = start(name, run, *args)
        started.append(thread)
        return thread

    monkeypatch.setattr(background, "start", in_turn)
    yield
    for thread in started:
        thread.join(timeout=60)
        assert not thread.is_alive(), f"{thread.name} still runs after the test"
    with _OneRequestAtATime._lock:  # a request the closed page left running ends first
        pass

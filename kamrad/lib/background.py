"""Work a request starts and does not wait for: a daemon thread of this process.

The request returns at once and the page polls what the work records (a run's progress, an
import's status). The thread opens its own database connections and closes them when done;
what it raises is logged here, as nobody waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)


def start(name: str, work: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run `work(*args)` in a new daemon thread called `name`; return the started thread."""

    def run() -> None:
        close_old_connections()
        try:
            work(*args)
        except Exception:
            log.exception("background work %s failed", name)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread

"""Run a function of Kamrad in a spawned child process, with Django set up first.

A spawned child starts from nothing: it imports what it unpickles before anything else runs,
and most of Kamrad's modules need Django's apps to be ready when they are imported. So the
child's target is `call` (this module imports nothing of Kamrad), which sets Django up and
then imports and calls the function it is named. Its arguments must be plain values.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def call(path: str, *args: Any) -> Any:
    """Set Django up, then call the function at the dotted `path` with `args`."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamrad.settings")
    django.setup()
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)(*args)

"""Hooks `make run` calls once the database is migrated.

Each app that needs something on first start (the shipped metrics import, for one)
lists a callable here; a hook must be idempotent and return a line to print or "".
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string

FIRST_START_HOOKS: list[str] = [
    "core.throttling.cache_table_ensure",
    "metrics.services.metric_imports_shipped_start",
]


def first_start_hooks() -> list[Callable[[], str]]:
    return [import_string(path) for path in FIRST_START_HOOKS]

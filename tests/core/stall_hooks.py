"""Imported by a test worker (``celery worker -I tests.core.stall_hooks``), never by the app.

It makes an import and a PDF export stop half-way, so a test can SIGKILL the worker at a
known point: the import has written its rows in a transaction it has not committed; the
export has rendered its PDF and not stored it. The marker file tells the test it is there.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metrics import importing
from plans.map import pdf

MARKER = Path(os.environ["MOBILITY_TEST_STALL_MARKER"])


def _stall_after(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        MARKER.write_text(str(os.getpid()))
        time.sleep(600)  # until the test kills this process
        return result

    return wrapper


# SQLite: rows upserted inside the import's transaction; PostgreSQL: COPY done, not committed.
importing._generic_merge = _stall_after(importing._generic_merge)  # type: ignore[assignment]
importing._copy_binary = _stall_after(importing._copy_binary)  # type: ignore[assignment]
pdf.document_pdf = _stall_after(pdf.document_pdf)  # type: ignore[assignment]

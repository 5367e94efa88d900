"""Stored files: each coalition's storage quota, and removing files no row names.

A model whose files count towards its coalition's quota says so with
``COUNTS_TO_STORAGE_QUOTA = True`` and has a ``coalition`` foreign key and a ``file``
field (worksheet files, local data). The services that store such files call
``storage_quota_check`` first. Files on disk that no row names (a save refused after its
upload was stored, a worker that died mid-way) are removed by ``orphaned_files_remove``,
run hourly by Celery beat, once they are older than ``ORPHAN_FILE_MIN_AGE_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Folders of MEDIA_ROOT that hold files named by rows; nothing else there is touched.
MANAGED_FOLDERS = ("worksheet-files", "local-data", "metric-imports", "plan-exports")
MB = 1024 * 1024


@dataclass(frozen=True)
class StorageUse:
    used: int
    quota: int

    @property
    def used_mb(self) -> float:
        return round(self.used / MB, 1)

    @property
    def quota_mb(self) -> int:
        return self.quota // MB

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.quota)) if self.quota else 100


def _quota_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if getattr(model, "COUNTS_TO_STORAGE_QUOTA", False):
            yield model


def _size(name: str) -> int:
    try:
        return default_storage.size(name)
    except OSError:
        return 0  # a row whose file is already gone takes no room


def coalition_storage_use(coalition_id: int) -> StorageUse:
    """The bytes the coalition's stored files take, and its quota."""
    used = 0
    for model in _quota_models():
        names = model._default_manager.filter(coalition_id=coalition_id).values_list(
            "file", flat=True
        )
        used += sum(_size(name) for name in names if name)
    return StorageUse(used=used, quota=settings.COALITION_STORAGE_QUOTA_MB * MB)


def storage_quota_check(*, coalition_id: int, adding: int) -> None:
    """Refuse a file of ``adding`` bytes that would take the coalition past its quota."""
    use = coalition_storage_use(coalition_id)
    if use.used + adding > use.quota:
        raise ValidationError(
            _(
                "This file would take your coalition's stored files past its limit of "
                "%(quota)s MB (%(used)s MB are used). Delete files you no longer need, or ask "
                "your administrator to raise the limit."
            )
            % {"quota": use.quota_mb, "used": use.used_mb}
        )


def _named_files() -> set[str]:
    named: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                values = model._default_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                named.update(str(value) for value in values if value)
    return named


def orphaned_files_remove(*, older_than_seconds: int) -> int:
    """Delete files in the managed media folders that no row names; return how many.

    Only files older than ``older_than_seconds`` go: a file is stored a moment before the
    row that names it is committed."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - older_than_seconds
    named = _named_files()
    removed = 0
    for folder in MANAGED_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.relative_to(root).as_posix() not in named:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("Removed %d orphaned files", removed)
    return removed

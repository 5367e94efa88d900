"""Backups of an installation and their restore: the database and the media folder.

A backup is a folder: ``db.sqlite3`` (SQLite's online backup API, consistent while the
app runs) or ``db.dump`` (``pg_dump`` custom format), ``media/`` (uploads and exports, a
copy taken after the database so every file a row names is there), and ``manifest.json``
(versions, the migrations the database had, a SHA-256 and size of every file). Restore
checks every checksum first, refuses an installation that holds data unless forced, puts
the database and the files back, then applies newer migrations.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"
MEDIA = "media"


class BackupError(Exception):
    """Something a person must fix; the message says what."""


@dataclass
class Restored:
    files: int
    database: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str]) -> str:
    if shutil.which(args[0]) is None:
        raise BackupError(
            f"{args[0]} is not installed; install the Debian package postgresql-client "
            "(the same major version as the server or newer)."
        )
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[:1000]}")
    return result.stdout


def _applied_migrations() -> list[str]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.applied_migrations)


def _versions() -> dict[str, str]:
    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": _vendor(),
    }
    if _vendor() == "sqlite":
        versions["sqlite"] = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
        versions["pg_dump"] = _run(["pg_dump", "--version"]).strip()
    return versions


# --- backup -----------------------------------------------------------------------------------


def backup_create(target: Path) -> dict[str, Any]:
    """Write a backup of this installation into ``target`` (new or empty); return the manifest."""
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for each backup.")
    target.mkdir(parents=True, exist_ok=True)
    if _vendor() == "sqlite":
        _sqlite_backup(target / SQLITE_FILE)
    elif _vendor() == "postgresql":
        name = str(settings.DATABASES["default"]["NAME"])
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target / PG_FILE), name])
    else:  # pragma: no cover - settings accept only these two
        raise BackupError(f"Backups of {_vendor()} databases are not supported.")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, target / MEDIA, dirs_exist_ok=True)
    else:
        (target / MEDIA).mkdir()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "versions": _versions(),
        "migrations": _applied_migrations(),
        "files": {
            str(path.relative_to(target)): {"size": path.stat().st_size, "sha256": _sha256(path)}
            for path in _files(target)
        },
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _sqlite_backup(destination: Path) -> None:
    # The online backup API copies a consistent snapshot while the web server and the
    # worker keep writing (a plain file copy could catch half a transaction).
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(str(destination))
    try:
        with copy:
            source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()


# --- restore ----------------------------------------------------------------------------------


def backup_verify(source: Path) -> dict[str, Any]:
    """Read the manifest and check every file against it; return the manifest."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} has no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    listed = set(manifest["files"])
    present = {str(path.relative_to(source)) for path in _files(source)} - {MANIFEST}
    if listed - present:
        raise BackupError(f"Files missing from the backup: {', '.join(sorted(listed - present))}")
    for name, expected in manifest["files"].items():
        path = source / name
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged.")
    known = {
        f"{app}.{name}"
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    newer = sorted(set(manifest["migrations"]) - known)
    if newer:
        raise BackupError(
            "The backup comes from a newer version of the app (migrations "
            f"{', '.join(newer[:5])}); install that version first."
        )
    return manifest


def installation_is_empty() -> bool:
    """No people, no coalitions and no uploaded files: nothing a restore would overwrite."""
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(_files(media)):
        return False
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("accounts_user", "coalitions_coalition"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 - fixed names
                if cursor.fetchone():
                    return False
    return True


def backup_restore(source: Path, *, force: bool = False) -> Restored:
    """Put a backup back into this installation (the app must be stopped)."""
    source = source.resolve()
    manifest = backup_verify(source)
    kind = manifest["versions"]["database"]
    if kind != _vendor():
        raise BackupError(
            f"The backup is of a {kind} database; this installation uses {_vendor()}."
        )
    if not force and not installation_is_empty():
        raise BackupError(
            "This installation already holds data (people, coalitions or files); restoring "
            "would replace it. Restore into a fresh installation, or add --force."
        )
    if kind == "sqlite":
        _sqlite_restore(source / SQLITE_FILE)
    else:
        connections.close_all()
        name = str(settings.DATABASES["default"]["NAME"])
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                name,
                str(source / PG_FILE),
            ]
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.rmtree(media)
    shutil.copytree(source / MEDIA, media)
    call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
    return Restored(files=sum(1 for _ in _files(media)), database=kind)


def _sqlite_restore(backup_file: Path) -> None:
    connections.close_all()
    name = Path(str(settings.DATABASES["default"]["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(backup_file))
    target = sqlite3.connect(str(name))
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()

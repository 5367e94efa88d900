"""`manage.py backup` and `restore`: a coalition's whole work comes back in a fresh installation.

The commands run as separate processes, as an administrator runs them: the backup against
the test database, the restore into a new empty database (a new SQLite file, or a new
PostgreSQL database when the tests run on PostgreSQL) and a new media folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from coalitions.models import Role
from core.models import JobStatus
from metrics import services as metric_services
from plans import services as plan_services
from plans.map import services as map_services
from plans.models import WorksheetFile
from tests.factories import CoalitionFactory, MembershipFactory

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"
pytestmark = pytest.mark.worker  # real processes on the test database

SUMMARY = """
import hashlib, json
from accounts.models import User
from coalitions.models import Coalition, Membership
from metrics.models import MetricImport, Observation
from plans.map.models import MapVersion, PlanExport
from plans.models import Revision, WorksheetFile, WorksheetResponse

def digest(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

print(json.dumps({
    "users": sorted(User.objects.values_list("email", flat=True)),
    "coalitions": sorted(Coalition.objects.values_list("name", flat=True)),
    "memberships": sorted(Membership.objects.values_list("user__email", "role")),
    "answers": sorted(
        [r.worksheet_key, r.version, digest(r.data)] for r in WorksheetResponse.objects.all()
    ),
    "revisions": sorted(
        [r.response.worksheet_key, r.version, digest(r.data)] for r in Revision.objects.all()
    ),
    "files": sorted(
        [f.original_name, hashlib.sha256(f.file.open("rb").read()).hexdigest()]
        for f in WorksheetFile.objects.all()
    ),
    "imports": sorted(
        [i.original_name, i.status, i.observations_written] for i in MetricImport.objects.all()
    ),
    "observations": Observation.objects.count(),
    "versions": [[v.number, digest(v.document)] for v in MapVersion.objects.order_by("number")],
    "exports": sorted(
        hashlib.sha256(e.file.open("rb").read()).hexdigest()
        for e in PlanExport.objects.exclude(file="")
    ),
}))
"""


def manage(*args: str, db: str, media: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="mobility.settings_test",
        MOBILITY_TEST_WORKER_DB=db,
        MOBILITY_TEST_MEDIA_ROOT=str(media),
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def backup(folder: Path, installation: dict) -> subprocess.CompletedProcess:
    return manage("backup", str(folder), db=installation["db"], media=installation["media"])


def summary(db: str, media: Path) -> dict:
    result = manage("shell", "-c", SUMMARY, db=db, media=media)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def coalition_at_work(transactional_db, reference_data, settings, tmp_path, staff):
    """A coalition with answers and their revisions, files, an import, a frozen MAP, a PDF."""
    settings.MEDIA_ROOT = tmp_path / "media"
    coalition = CoalitionFactory(name="Riverside Mobility Coalition")
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER)
    member = MembershipFactory(coalition=coalition, role=Role.MEMBER)
    first = plan_services.worksheet_response_save(
        actor=member, worksheet_key="w5_7", data={"narrative": "Rents rose."}, base_version=0
    )
    plan_services.worksheet_response_save(
        actor=pm, worksheet_key="w5_7", data={"narrative": "Rents rose 9%."}, base_version=1
    )
    assert first.changed
    WorksheetFile.objects.create(
        coalition=coalition,
        file=ContentFile(b"%PDF-1.4 minutes of the kick-off", name="minutes.pdf"),
        original_name="Kick-off minutes.pdf",
        size=32,
        uploaded_by=pm.user,
    )
    job = metric_services.metric_import_start(
        actor=staff,
        upload=ContentFile((FIXTURES / "county_2025_sample.csv").read_bytes(), name="c.csv"),
        release_name="2025",
    )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    map_services.vision_save(actor=pm, statement="Everyone in Riverside thrives.")
    version = map_services.map_version_freeze(actor=pm, override_reason="A test plan.")
    export = map_services.plan_export_start(actor=pm, version=version)
    export.refresh_from_db()
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    return {"db": str(connection.settings_dict["NAME"]), "media": settings.MEDIA_ROOT}


@pytest.fixture
def empty_database(tmp_path):
    """The database of a fresh installation: a new SQLite file or PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian package postgresql-client)")
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_installation_with_everything(
    coalition_at_work, empty_database, tmp_path
):
    before = summary(coalition_at_work["db"], coalition_at_work["media"])
    assert before["answers"] and len(before["revisions"]) == 2 and before["files"]
    assert before["observations"] > 0 and before["versions"] and before["exports"]

    folder = tmp_path / "backup-1"
    made = manage(
        "backup", str(folder), db=coalition_at_work["db"], media=coalition_at_work["media"]
    )
    assert made.returncode == 0, made.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["versions"]["database"] == connection.vendor
    assert "django" in manifest["versions"] and "core.0002_job_recovery" in manifest["migrations"]
    assert any(name.startswith("media/plan-exports/") for name in manifest["files"])

    restored_media = tmp_path / "restored-media"
    done = manage("restore", str(folder), db=empty_database, media=restored_media)
    assert done.returncode == 0, done.stderr
    assert summary(empty_database, restored_media) == before

    # The restored installation holds data now: a second restore must be forced.
    again = manage("restore", str(folder), db=empty_database, media=restored_media)
    assert again.returncode != 0
    assert "already holds data" in again.stderr and "--force" in again.stderr
    forced = manage("restore", str(folder), "--force", db=empty_database, media=restored_media)
    assert forced.returncode == 0, forced.stderr
    assert summary(empty_database, restored_media) == before


def test_a_damaged_backup_is_refused_before_anything_is_touched(
    coalition_at_work, empty_database, tmp_path
):
    folder = tmp_path / "backup-2"
    made = manage(
        "backup", str(folder), db=coalition_at_work["db"], media=coalition_at_work["media"]
    )
    assert made.returncode == 0, made.stderr
    stored = next((folder / "media" / "worksheet-files").rglob("*.pdf"), None) or next(
        (folder / "media").rglob("*.pdf")
    )
    stored.write_bytes(b"tampered")
    restored_media = tmp_path / "restored-media"
    refused = manage("restore", str(folder), db=empty_database, media=restored_media)
    assert refused.returncode != 0
    assert "does not match its checksum" in refused.stderr
    assert not restored_media.exists()
    # A backup never writes into a folder that holds something.
    again = manage(
        "backup", str(folder), db=coalition_at_work["db"], media=coalition_at_work["media"]
    )
    assert again.returncode != 0 and "not empty" in again.stderr

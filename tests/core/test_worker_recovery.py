"""A real worker is SIGKILLed mid-import and mid-export; the jobs fail, the retries succeed.

The first worker imports ``tests.core.stall_hooks``, which stops the job half-way (the
import's rows written in an open transaction; the export's PDF rendered, not stored) and
writes a marker file; the test then kills the process with SIGKILL, as the kernel's
out-of-memory killer or a pulled plug would.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import JobStatus
from core.tasks import jobs_recover_task
from metrics import services as metric_services
from metrics.models import MetricImport, Observation
from plans.map import services as map_services
from plans.map.models import PlanExport
from tests.conftest import wait_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.worker
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
STALL = "tests.core.stall_hooks"


def _kill(worker) -> float:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)  # reaped: its pid is gone
    return time.monotonic()


def _finished(job):
    def check():
        job.refresh_from_db()
        return job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    return check


def test_an_import_killed_mid_way_fails_and_its_retry_imports_everything(
    reference_data, celery_worker_factory, staff, tmp_path
):
    marker = tmp_path / "stalled"
    first = celery_worker_factory("-I", STALL, env={"MOBILITY_TEST_STALL_MARKER": str(marker)})
    job = metric_services.metric_import_start(
        actor=staff,
        upload=ContentFile((FIXTURES / "county_2025_sample.csv").read_bytes(), name="c.csv"),
        release_name="2025",
    )
    assert wait_for(marker.exists, timeout=90), "the worker never reached the write"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.worker.endswith(f":{first.pid}")
    killed = _kill(first)

    # A worker that starts fails what the dead one held, well within the stale limit.
    second = celery_worker_factory()
    assert wait_for(_finished(job), timeout=60), f"still {job.status} after a new worker started"
    assert job.status == JobStatus.FAILED
    assert time.monotonic() - killed < settings.JOB_STALE_AFTER_SECONDS
    assert "worker stopped" in job.message
    assert Observation.objects.count() == 0  # nothing half-imported
    assert job.can_retry

    # Another import of the same file would be refused while the retry runs; then it is in.
    metric_services.metric_import_retry(actor=staff, job=job)
    assert wait_for(_finished(job), timeout=90), f"the retry is still {job.status}"
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.worker.endswith(f":{second.pid}")
    assert job.progress_done == job.progress_total == 54
    assert Observation.objects.count() == job.observations_written > 0
    assert MetricImport.objects.count() == 1


def test_an_export_killed_mid_way_fails_and_its_retry_makes_one_pdf(
    celery_worker_factory, tmp_path
):
    pm = MembershipFactory(role="project_manager")
    map_services.vision_save(actor=pm, statement="Everyone thrives.")
    exports_dir = Path(settings.MEDIA_ROOT) / "plan-exports" / str(pm.coalition_id)
    before = set(exports_dir.glob("*.pdf"))
    marker = tmp_path / "stalled"
    first = celery_worker_factory(
        "-I",
        STALL,
        env={"MOBILITY_TEST_STALL_MARKER": str(marker), "JOB_HEARTBEAT_SECONDS": "0.5"},
    )
    export = map_services.plan_export_start(actor=pm)
    assert wait_for(marker.exists, timeout=120), "the worker never finished rendering"
    export.refresh_from_db()
    assert export.status == JobStatus.RUNNING and export.worker.endswith(f":{first.pid}")
    beat = export.heartbeat_at
    # The worker is alive but writes no progress: its heartbeat goes on.
    assert wait_for(lambda: PlanExport.objects.get(pk=export.pk).heartbeat_at > beat, timeout=10), (
        "no heartbeat while the job ran"
    )
    _kill(first)

    # Refused while the dead worker's export still looks active: one export per target.
    with pytest.raises(ValidationError, match="already being made"):
        map_services.plan_export_start(actor=pm)

    # The periodic task (run here as beat would send it) fails it at once: its worker is gone.
    assert jobs_recover_task.apply().get()["failed"] == 1
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert export.finished_at is not None and export.finished_at <= timezone.now()
    assert not export.file and set(exports_dir.glob("*.pdf")) == before  # no half-stored PDF

    second = celery_worker_factory()
    map_services.plan_export_retry(actor=pm, export=export)
    assert wait_for(_finished(export), timeout=120), f"the retry is still {export.status}"
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    assert export.worker.endswith(f":{second.pid}")
    assert set(exports_dir.glob("*.pdf")) - before == {Path(export.file.path)}
    assert export.file.open("rb").read(5) == b"%PDF-"
    assert PlanExport.objects.count() == 1

"""A real worker process imports a file from the queue, and refuses a broken one."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from core.models import JobStatus
from metrics import services
from metrics.models import Observation
from tests.conftest import wait_for

pytestmark = pytest.mark.worker
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"


def _import(content: bytes, staff):
    job = services.metric_import_start(
        actor=staff, upload=ContentFile(content, name="upload.csv"), release_name="2025"
    )

    def finished():
        job.refresh_from_db()
        return job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    assert wait_for(finished, timeout=90), f"the worker did not finish (status {job.status})"
    return job


def test_real_worker_imports_and_refuses(reference_data, celery_worker_process, staff):
    good = _import((FIXTURES / "county_2025_sample.csv").read_bytes(), staff)
    assert good.status == JobStatus.SUCCEEDED, good.message
    assert good.task_id and good.progress_done == good.progress_total == 54
    count = Observation.objects.count()
    assert count == good.observations_written > 0
    broken = _import(b"year,state,county,share_employed\n2020,01,001,2\n", staff)
    assert broken.status == JobStatus.FAILED
    assert "row 2, column share_employed" in broken.message
    assert Observation.objects.count() == count
    assert celery_worker_process.poll() is None

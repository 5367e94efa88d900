"""A real worker process takes a task from the broker and writes to the database."""

import pytest
from django.conf import settings

from core import services
from core.models import JobStatus
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


def test_real_worker_runs_the_diagnostic_task(celery_worker_process, staff):
    job = services.diagnostic_job_start(actor=staff)

    def finished():
        job.refresh_from_db()
        return job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    assert wait_for(finished, timeout=90), (
        f"worker did not finish the job (status {job.status}); broker {settings.CELERY_BROKER_URL}"
    )
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.worker
    assert job.task_id
    assert celery_worker_process.poll() is None

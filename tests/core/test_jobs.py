from unittest import mock

import pytest

from core import services
from core.models import DiagnosticJob, JobStatus

pytestmark = pytest.mark.django_db


def test_diagnostic_job_runs_through_the_task(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.diagnostic_job_start(actor=staff)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.percent == 100
    assert job.started_by == staff


def test_unreachable_queue_fails_the_job_with_a_message(staff, django_capture_on_commit_callbacks):
    from core.tasks import diagnostic_job_run_task

    with (
        mock.patch.object(diagnostic_job_run_task, "apply_async", side_effect=OSError("refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.diagnostic_job_start(actor=staff)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "task queue is not reachable" in job.message


def test_job_is_claimed_once(staff):
    from core.jobs import job_claim

    job = DiagnosticJob.objects.create(started_by=staff)
    assert job_claim(DiagnosticJob, job.pk) is not None
    assert job_claim(DiagnosticJob, job.pk) is None

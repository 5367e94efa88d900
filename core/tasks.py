from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core import services
from core.jobs import job_claim, job_fail, jobs_fail_stale
from core.models import DiagnosticJob


@shared_task(time_limit=60, soft_time_limit=50)
def diagnostic_job_run_task(job_id: int) -> None:
    job = job_claim(DiagnosticJob, job_id)
    if job is None:
        return
    try:
        services.diagnostic_job_run(job=job)  # type: ignore[arg-type]
    except Exception as exc:
        job_fail(job, f"The worker check failed: {exc}")
        raise


@shared_task(time_limit=120, soft_time_limit=100)
def jobs_fail_stale_task() -> int:
    return jobs_fail_stale(older_than=timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS))

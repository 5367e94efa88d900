from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import services
from core.jobs import job_run, jobs_recover
from core.models import DiagnosticJob


@shared_task(time_limit=60, soft_time_limit=50)
def diagnostic_job_run_task(job_id: int) -> None:
    job_run(
        DiagnosticJob,
        job_id,
        lambda job: services.diagnostic_job_run(job=job),  # type: ignore[arg-type]
        failure_message=_("The worker check failed."),
    )


@shared_task(time_limit=120, soft_time_limit=100)
def jobs_recover_task() -> dict[str, int]:
    """Beat: fail the jobs of dead workers, send lost pending jobs again."""
    return vars(jobs_recover())


@shared_task(time_limit=600, soft_time_limit=540)
def orphaned_files_remove_task() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): remove stored files that no row names."""
    from core.storage import orphaned_files_remove

    return orphaned_files_remove(older_than_seconds=settings.ORPHAN_FILE_MIN_AGE_SECONDS)

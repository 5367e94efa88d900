from __future__ import annotations

from django.db import transaction

from accounts.models import User
from core.jobs import job_enqueue_on_commit
from core.models import DiagnosticJob


@transaction.atomic
def diagnostic_job_start(*, actor: User) -> DiagnosticJob:
    from core.tasks import diagnostic_job_run_task

    job = DiagnosticJob.objects.create(started_by=actor, progress_total=1)
    job_enqueue_on_commit(job, diagnostic_job_run_task)
    return job


def diagnostic_job_run(*, job: DiagnosticJob) -> None:
    """What the worker does: say it ran (the claim noted which worker it is)."""
    from core.jobs import job_progress, job_succeed

    job_progress(job, done=1)
    job_succeed(job, "The worker received the task and wrote to the database.")

"""State changes of background job rows, shared by every job type.

Tasks claim a row with a conditional update, so only one worker can move it from
pending to running even if the broker delivers the message twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

from celery import Task
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core.models import BackgroundJob, JobStatus

logger = logging.getLogger(__name__)


def job_models() -> Iterator[type[BackgroundJob]]:
    for model in apps.get_models():
        if issubclass(model, BackgroundJob):
            yield model


def job_claim(model: type[BackgroundJob], pk: int) -> BackgroundJob | None:
    """Move a pending job to running; return it, or None if someone else has it."""
    now = timezone.now()
    claimed = model._default_manager.filter(pk=pk, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return model._default_manager.get(pk=pk) if claimed else None


def job_progress(job: BackgroundJob, *, done: int, total: int | None = None) -> None:
    fields = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    type(job)._default_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _finish(job: BackgroundJob, status: str, message: str, error_report: str = "") -> None:
    now = timezone.now()
    job.status, job.message, job.finished_at, job.heartbeat_at = status, message, now, now
    if error_report:
        job.error_report = error_report
    type(job)._default_manager.filter(pk=job.pk).update(
        status=status,
        message=message,
        error_report=job.error_report,
        finished_at=now,
        heartbeat_at=now,
    )


def job_succeed(job: BackgroundJob, message: str = "") -> None:
    _finish(job, JobStatus.SUCCEEDED, message)


def job_fail(job: BackgroundJob, message: str, error_report: str = "") -> None:
    _finish(job, JobStatus.FAILED, message, error_report)


def job_run(
    model: type[BackgroundJob],
    pk: int,
    service: Callable[[BackgroundJob], object],
    *,
    failure_message: str | Promise,
) -> BackgroundJob | None:
    """What every job's task does: claim the row, run the service, record how it ended.

    A duplicate delivery finds nothing to claim and returns None. The service ends the job
    itself (``job_succeed``, or ``job_fail`` for a person's bad input); if it leaves the job
    running it is marked succeeded here. An unexpected error is logged with its traceback for
    staff, and the job fails with ``failure_message`` for the person who started it and the
    error itself in the job's report. It is not re-raised: the row, not Celery's result
    store, is what pages read, and a retry would repeat work a person must look at first.
    """
    job = job_claim(model, pk)
    if job is None:
        return None
    try:
        service(job)
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, pk)
        job_fail(job, str(failure_message), f"{type(exc).__name__}: {exc}"[:2000])
        return job
    if job.status == JobStatus.RUNNING:
        job_succeed(job)
    return job


def job_enqueue_on_commit(job: BackgroundJob, task: Task) -> None:
    """Send ``task(job.pk)`` once the row is committed.

    If the broker cannot be reached the job is failed with a message the person who
    started it can read, instead of waiting forever.
    """

    def send() -> None:
        try:
            result = task.apply_async(args=[job.pk])
        except (OperationalError, OSError):
            logger.exception("Could not enqueue %s %s", type(job).__name__, job.pk)
            job_fail(
                job,
                _(
                    "The job could not be queued: the task queue is not reachable. "
                    "Try again later or tell your administrator."
                ),
            )
            return
        type(job)._default_manager.filter(pk=job.pk).update(task_id=result.id or "")

    transaction.on_commit(send)


def jobs_fail_stale(*, older_than: timedelta) -> int:
    """Fail running jobs whose heartbeat stopped (a worker died); return how many."""
    cutoff = timezone.now() - older_than
    count = 0
    for model in job_models():
        count += model._default_manager.filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
        ).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("The job stopped answering (the worker may have restarted). Start it again."),
        )
    return count

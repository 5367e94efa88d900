"""State changes of background job rows, shared by every job type.

Tasks claim a row with a conditional update, so only one worker can move it from
pending to running even if the broker delivers the message twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar, cast

from celery import Task
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core.models import BackgroundJob, JobStatus

logger = logging.getLogger(__name__)

ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)
J = TypeVar("J", bound=BackgroundJob)


def worker_name() -> str:
    """This process as a job's ``worker``: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def job_models() -> Iterator[type[BackgroundJob]]:
    for model in apps.get_models():
        if issubclass(model, BackgroundJob):
            yield model


def job_claim(model: type[BackgroundJob], pk: int) -> BackgroundJob | None:
    """Move a pending job to running; return it, or None if someone else has it."""
    now = timezone.now()
    claimed = model._default_manager.filter(pk=pk, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
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
    heartbeat = _Heartbeat(job)
    heartbeat.start()
    try:
        service(job)
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, pk)
        job_fail(job, str(failure_message), f"{type(exc).__name__}: {exc}"[:2000])
        return job
    finally:
        heartbeat.stop()
    if job.status == JobStatus.RUNNING:
        job_succeed(job)
    return job


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat every JOB_HEARTBEAT_SECONDS while its service runs.

    It has its own database connection, so a long step that writes no progress still shows
    the worker is alive. Inside a caller's transaction (tests run tasks eagerly in one) the
    row is locked by that transaction, so no thread is started.
    """

    def __init__(self, job: BackgroundJob):
        super().__init__(name=f"heartbeat-{type(job).__name__}-{job.pk}", daemon=True)
        self.model, self.pk, self.worker = type(job), job.pk, job.worker
        self.stopped = threading.Event()

    def start(self) -> None:
        if not connection.in_atomic_block:
            super().start()

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.model._default_manager.filter(
                        pk=self.pk, status=JobStatus.RUNNING, worker=self.worker
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:  # SQLite busy for longer than its timeout: try again
                    logger.warning("Could not write the heartbeat of %s %s", self.model, self.pk)
        finally:
            connection.close()  # this thread's own connection


def job_enqueue_on_commit(job: BackgroundJob, task: Task) -> None:
    """Send ``task(job.pk)`` once the row is committed.

    If the broker cannot be reached the job is failed with a message the person who
    started it can read, instead of waiting forever.
    """

    transaction.on_commit(lambda: _send(job, task))


def _send(job: BackgroundJob, task: Task) -> bool:
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
        return False
    type(job)._default_manager.filter(pk=job.pk).update(
        task_id=result.id or "", queued_at=timezone.now(), sends=F("sends") + 1
    )
    return True


def job_save_once(job: J, *, busy_message: str | Promise) -> J:
    """Insert a new job row; if another job of its target is active, refuse with a message.

    The database's one-active-job constraint is the authority (two people starting the same
    export at once get one export and one message); the savepoint keeps the caller's
    transaction usable after the refusal.
    """
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ValidationError(str(busy_message)) from None
    return job


def job_task(model: type[BackgroundJob]) -> Task | None:
    """The task that runs a job of this type (``TASK`` on the model, a dotted path)."""
    path = getattr(model, "TASK", "")
    return import_string(path) if path else None


def job_retry(job: J, *, busy_message: str | Promise) -> J:
    """Put a failed job back in the queue, as it was before it first ran.

    Only a failed job can be retried (a conditional update: two people pressing Retry at
    once queue it once). ``busy_message`` is the error when another job of the same target
    is active (the database's one-active-job constraint refuses the update).
    """
    model = type(job)
    task = job_task(model)
    if task is None or job.status != JobStatus.FAILED:
        raise ValidationError(_("Only a failed job can be retried."))
    reset = {
        name: cast(Field, model._meta.get_field(name)).get_default() for name in model.RESULT_FIELDS
    }
    try:
        with transaction.atomic():
            updated = model._default_manager.filter(pk=job.pk, status=JobStatus.FAILED).update(
                status=JobStatus.PENDING,
                progress_done=0,
                message="",
                error_report="",
                started_at=None,
                finished_at=None,
                heartbeat_at=None,
                worker="",
                task_id="",
                queued_at=None,
                sends=0,
                **reset,
            )
    except IntegrityError:
        raise ValidationError(str(busy_message)) from None
    if not updated:
        raise ValidationError(_("Only a failed job can be retried."))
    job.refresh_from_db()
    job_enqueue_on_commit(job, task)
    return job


# --- Recovery: jobs of dead workers, lost messages ---------------------------------------


@dataclass
class Recovered:
    failed: int = 0  # running jobs whose worker died
    resent: int = 0  # pending jobs whose message was sent again
    given_up: int = 0  # pending jobs that no worker took after JOB_MAX_SENDS


def _local_process_gone(worker: str) -> bool:
    """Whether ``worker`` ("host:pid") was a process of this host that no longer exists."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _dead_running(model: type[BackgroundJob], cutoff: datetime) -> Iterator[BackgroundJob]:
    running = model._default_manager.filter(status=JobStatus.RUNNING).only(
        "pk", "worker", "heartbeat_at"
    )
    for job in running:
        stale = job.heartbeat_at is None or job.heartbeat_at < cutoff
        if stale or _local_process_gone(job.worker):
            yield job


def jobs_recover(
    *,
    stale_after: timedelta | None = None,
    resend_after: timedelta | None = None,
    max_sends: int | None = None,
) -> Recovered:
    """Fail the running jobs of dead workers; send lost pending jobs again, or give up.

    A running job is dead when its heartbeat is older than ``stale_after`` or when its
    worker was a process of this host that no longer exists (a worker that starts after a
    crash fails its predecessor's jobs at once). A pending job queued longer than
    ``resend_after`` ago is taken as lost when a job queued after it has started (the
    queue is first in, first out) or when no worker is busy with a live job; its message
    is sent again, up to ``max_sends`` times, then the job fails with a message. Behind
    a long job that is alive it waits. Pending jobs never queued (shipped imports waiting
    for another import) are left alone.
    """
    now = timezone.now()
    stale_after = stale_after or timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    resend_after = resend_after or timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS)
    max_sends = max_sends or settings.JOB_MAX_SENDS
    done = Recovered()
    for model in job_models():
        for job in _dead_running(model, now - stale_after):
            done.failed += model._default_manager.filter(
                pk=job.pk, status=JobStatus.RUNNING, worker=job.worker
            ).update(
                status=JobStatus.FAILED,
                finished_at=now,
                message=_(
                    "The worker stopped before this job finished (it may have been restarted). "
                    "Nothing of this run was kept: retry it."
                ),
            )
    busy = any(
        model._default_manager.filter(
            status=JobStatus.RUNNING, heartbeat_at__gte=now - stale_after
        ).exists()
        for model in job_models()
    )
    for model in job_models():
        _pending_recover(model, now - resend_after, max_sends, busy, done)
    if done.failed or done.resent or done.given_up:
        logger.warning("Jobs recovered: %s", done)
    return done


def _overtaken(queued_at: datetime) -> bool:
    """Whether a job queued after ``queued_at`` has started: a message before it was lost."""
    return any(
        model._default_manager.filter(queued_at__gt=queued_at, started_at__isnull=False).exists()
        for model in job_models()
    )


def _pending_recover(
    model: type[BackgroundJob], cutoff: datetime, max_sends: int, busy: bool, done: Recovered
) -> None:
    task = job_task(model)
    waiting = model._default_manager.filter(status=JobStatus.PENDING, queued_at__lt=cutoff)
    for job in waiting.only("pk", "queued_at", "sends"):
        assert job.queued_at is not None  # noqa: S101 - the filter says so
        if busy and not _overtaken(job.queued_at):
            continue  # behind a long job that is alive
        if job.sends >= max_sends or task is None:
            done.given_up += model._default_manager.filter(
                pk=job.pk, status=JobStatus.PENDING
            ).update(
                status=JobStatus.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "No worker took this job after it was queued %(n)d times. Check that the "
                    "background worker is running, then retry it."
                )
                % {"n": max_sends},
            )
        else:
            done.resent += _send(job, task)

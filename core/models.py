from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class BackgroundJob(models.Model):
    """The database row of a long job (import, export, ...): the UI and API read this.

    Concrete jobs subclass it and add their coalition and inputs. State changes go through
    the helpers in ``core.jobs``, which claim rows with conditional updates.
    """

    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    error_report = models.TextField(_("error report"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # Which worker process runs the job ("host:pid"), so a worker that starts can tell the
    # jobs of a dead one; set when the job is claimed.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    # When the task message was last sent, and how many times: a pending job whose message
    # was lost is sent again, and failed after JOB_MAX_SENDS.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sends = models.PositiveSmallIntegerField(_("times queued"), default=0)

    # The task that runs the job (a dotted path) and the fields its run fills in, which a
    # retry puts back to their defaults.
    TASK: str = ""
    RESULT_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ("-created_at",)

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def can_retry(self) -> bool:
        return self.status == JobStatus.FAILED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class DiagnosticJob(BackgroundJob):
    """A tiny job staff send to the worker to prove the queue and the worker work."""

    TASK = "core.tasks.diagnostic_job_run_task"

    class Meta(BackgroundJob.Meta):
        verbose_name = _("worker check")
        verbose_name_plural = _("worker checks")

    def __str__(self) -> str:
        return f"Worker check {self.pk} ({self.status})"

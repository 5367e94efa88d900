"""The planning workspace: answers to worksheets, their history, step progress and work.

The worksheets themselves are data (``plans.definitions``); rows here refer to them by key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class WorksheetResponse(models.Model):
    """One answer to a worksheet: the coalition's shared one (``owner`` empty) or a member's own.

    ``version`` goes up by one with every save; a save names the version it started from and
    is refused if someone saved in between (optimistic concurrency, no locks held while typing).
    """

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="worksheet_responses"
    )
    worksheet_key = models.CharField(max_length=20)
    owner = models.ForeignKey(
        "coalitions.Membership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="worksheet_responses",
    )
    data = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.NOT_STARTED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("worksheet_key",)
        constraints = [
            models.UniqueConstraint(
                fields=("coalition", "worksheet_key"),
                condition=Q(owner__isnull=True),
                name="response_one_shared",
            ),
            models.UniqueConstraint(
                fields=("coalition", "worksheet_key", "owner"),
                condition=Q(owner__isnull=False),
                name="response_one_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worksheet_key} v{self.version}"

    @property
    def is_individual(self) -> bool:
        return self.owner_id is not None


class Revision(models.Model):
    """A full snapshot of a response after a save: who, when, what.

    One person's continuous editing is one revision: their saves within
    ``settings.REVISION_COALESCE_MINUTES`` of the revision's first save update it in place
    (versions ``first_version`` to ``version``, ``saves`` of them), keeping the latest content.
    Another person's save, a save with a note (restore, merge) or a save after a conflict
    (``closed``) starts a new one.
    """

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="+"
    )
    response = models.ForeignKey(
        WorksheetResponse, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    first_version = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=1)
    data = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    # The page (one open form) that saved it last: a page's own autosave never conflicts with it.
    editor = models.CharField(max_length=32, blank=True)
    # Someone's save was refused as stale on top of this revision: later saves start a new one,
    # so what the conflict was about stays in the history.
    closed = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)  # the latest save in it

    class Meta:
        ordering = ("-version",)
        constraints = [
            models.UniqueConstraint(fields=("response", "version"), name="revision_unique_version")
        ]
        # Recent activity: the coalition's latest revisions without sorting all of them.
        indexes = [models.Index(fields=("coalition", "-created_at"), name="revision_recent")]

    def __str__(self) -> str:
        return f"{self.response.worksheet_key} v{self.version}"


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class StepState(models.Model):
    """Where the coalition is with one of the ten steps. A complete step can be reopened."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="step_states"
    )
    step = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("step",)
        constraints = [
            models.UniqueConstraint(fields=("coalition", "step"), name="step_state_unique")
        ]

    def __str__(self) -> str:
        return f"Step {self.step}: {self.status}"


class ChecklistTick(models.Model):
    """A ticked review checklist item of a step, with who ticked it and when."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="checklist_ticks"
    )
    step = models.PositiveSmallIntegerField()
    item_key = models.CharField(max_length=60)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("step", "item_key")
        constraints = [
            models.UniqueConstraint(
                fields=("coalition", "step", "item_key"), name="checklist_tick_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Step {self.step}: {self.item_key}"


class Assignment(models.Model):
    """A step or worksheet given to a person or a working group, with a due date."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="assignments"
    )
    step = models.PositiveSmallIntegerField()
    worksheet_key = models.CharField(max_length=20, blank=True)  # empty: the whole step
    owner = models.ForeignKey(
        "coalitions.Membership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    working_group = models.ForeignKey(
        "coalitions.WorkingGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    due_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_date", "step", "worksheet_key")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner__isnull=False, working_group__isnull=True)
                    | Q(owner__isnull=True, working_group__isnull=False)
                ),
                name="assignment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worksheet_key or self.step} → {self.owner or self.working_group}"

    @property
    def owner_name(self) -> str:
        if self.owner_id:
            return str(self.owner.user.name or self.owner.user.email)  # type: ignore[union-attr]
        return str(self.working_group)


class Comment(models.Model):
    """A comment on a worksheet, or on one of its fields (``field_key``)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="worksheet_comments"
    )
    worksheet_key = models.CharField(max_length=20)
    field_key = models.CharField(max_length=60, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    mentions = models.ManyToManyField(
        "coalitions.Membership", blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("coalition", "-created_at"), name="comment_recent")]

    def __str__(self) -> str:
        return f"{self.worksheet_key}/{self.field_key}: {self.body[:30]}"


class NotificationKind(models.TextChoices):
    """What a notification is about; each person chooses per kind how it reaches them
    (``notifications.models.NotificationPreference``)."""

    MENTION = "mention", _("Mentions in comments")
    REVIEW_REQUEST = "review_request", _("Requests to review the plan")
    REVIEW_WAITING = "review_waiting", _("Reviews waiting for your decision")
    ASSIGNMENT_OVERDUE = "assignment_overdue", _("Overdue assignments")
    MILESTONE_DUE = "milestone_due", _("Milestones due or overdue")
    MEASURE_DUE = "measure_due", _("Measures due for a new value")
    RELEASE_CHANGES = "release_changes", _("New Mobility Metrics data for your measures")


class DigestPeriod(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Notification(models.Model):
    """Something a person should see in the app: a mention, a review request, a reminder.

    ``text`` is written in the recipient's language when the notification is made
    (``notifications.services.notification_send``). ``dedupe_key`` names the thing and its
    due period ("milestone:12:2026-05-01:overdue"): one notification per person, kind and key,
    so a reminder run twice sends nothing new. ``digest`` is set while the notification waits
    for the person's daily or weekly email; ``emailed_at`` when an email carried it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        _("kind"), max_length=24, choices=NotificationKind.choices, default=NotificationKind.MENTION
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    digest = models.CharField(max_length=8, choices=DigestPeriod.choices, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "kind", "dedupe_key"),
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=("digest", "user"), condition=~Q(digest=""), name="notification_digest_due"
            )
        ]

    def __str__(self) -> str:
        return self.text


def _upload_path(instance: WorksheetFile, filename: str) -> str:
    # A generated name; the original is kept in ``original_name`` and never used as a path.
    import uuid

    return f"worksheet-files/{instance.coalition_id}/{uuid.uuid4().hex}"


class WorksheetFile(models.Model):
    """A file attached to a file field of a worksheet."""

    COUNTS_TO_STORAGE_QUOTA = True  # core.storage

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="worksheet_files"
    )
    file = models.FileField(upload_to=_upload_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


from plans.implementation.models import *  # noqa: E402,F403  (implementation records, Step 10)
from plans.map.models import *  # noqa: E402,F403  (the MAP package registers its models here)
from plans.tracking.models import *  # noqa: E402,F403  (values over time: issue 14)

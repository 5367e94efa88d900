"""Values over time of the measurement plan's measures and of the headline goals (issue 14).

One model, :class:`TrackedValue`, holds the actual values of both: a value belongs to exactly
one measure or one headline goal (a check constraint says so). Headline goals keep their own
numeric baseline and target (plans.map.models.HeadlineGoal); measures got the same numbers
(``unit``, ``baseline_value``, ``target_value``) next to their text. Status, charts and the
API read both through the same code (plans.tracking.status, plans.tracking.values).

A value is for a period: a year (``2024``), a quarter (``2024-Q2``), a month (``2024-05``) or a
day (``2024-05-17``). ``period`` is that key as written in the canonical form; ``date`` is the
period's last day (a year's value is dated 31 December, as baselines are), so values of
different periods sort and compare on one axis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BackgroundJob


class ValueSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    LOCAL = "local", _("Local dataset")
    METRICS = "metrics", _("Urban Mobility Metrics")


class TrackedValue(models.Model):
    """One actual value of a measure or a headline goal for one period (and subgroup)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="tracked_values"
    )
    measure = models.ForeignKey(
        "plans.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="values"
    )
    goal = models.ForeignKey(
        "plans.HeadlineGoal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="values",
    )
    period = models.CharField(_("period"), max_length=10)
    date = models.DateField(_("date"))
    subgroup = models.CharField(_("subgroup"), max_length=80, blank=True)
    value = models.FloatField(_("value"))
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)
    quality = models.PositiveSmallIntegerField(_("data quality"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ValueSource.choices, default=ValueSource.MANUAL
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ("date", "subgroup", "pk")
        indexes = [models.Index(fields=("coalition", "date"), name="tracked_value_coalition")]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False, goal__isnull=True)
                | Q(measure__isnull=True, goal__isnull=False),
                name="tracked_value_one_owner",
            ),
            models.UniqueConstraint(
                fields=("measure", "subgroup", "period"),
                condition=Q(measure__isnull=False),
                name="tracked_value_measure_period",
            ),
            models.UniqueConstraint(
                fields=("goal", "subgroup", "period"),
                condition=Q(goal__isnull=False),
                name="tracked_value_goal_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.subgroup or 'all'}: {self.value}"


class SubgroupTarget(models.Model):
    """A subgroup's own numeric baseline and target, for a measure or a headline goal (like
    TrackedValue, exactly one owner). The status rule and the chart read it as they read the
    owner's baseline and target for everyone (plans.tracking.status, plans.tracking.charts)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="subgroup_targets"
    )
    measure = models.ForeignKey(
        "plans.Measure",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subgroup_targets",
    )
    goal = models.ForeignKey(
        "plans.HeadlineGoal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subgroup_targets",
    )
    subgroup = models.CharField(_("subgroup"), max_length=80)
    baseline_value = models.FloatField(_("baseline"))
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.FloatField(_("target"))
    target_date = models.DateField(_("target date"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("subgroup", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False, goal__isnull=True)
                | Q(measure__isnull=True, goal__isnull=False),
                name="subgroup_target_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_date")),
                name="subgroup_target_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=("measure", "subgroup"),
                condition=Q(measure__isnull=False),
                name="subgroup_target_measure",
            ),
            models.UniqueConstraint(
                fields=("goal", "subgroup"),
                condition=Q(goal__isnull=False),
                name="subgroup_target_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subgroup}: {self.baseline_value} → {self.target_value}"


class ReleaseUpdate(BackgroundJob):
    """The job that follows a newly activated metrics release into every linked measure and
    headline goal of every coalition (plans.tracking.releases)."""

    release = models.ForeignKey(
        "metrics.Release", on_delete=models.CASCADE, related_name="tracking_updates"
    )
    values_added = models.PositiveIntegerField(_("values added"), default=0)
    values_revised = models.PositiveIntegerField(_("values revised"), default=0)
    coalitions_changed = models.PositiveIntegerField(_("coalitions with changes"), default=0)

    TASK = "plans.tracking.tasks.release_update_run_task"
    RESULT_FIELDS = ("values_added", "values_revised", "coalitions_changed")

    class Meta(BackgroundJob.Meta):
        verbose_name = _("release update of measures")
        verbose_name_plural = _("release updates of measures")
        constraints = [
            models.UniqueConstraint(
                fields=["release"],
                condition=Q(status__in=["pending", "running"]),
                name="tracking_one_active_release_update",
            )
        ]

    def __str__(self) -> str:
        return f"Release update {self.pk} ({self.status})"


class ChangeKind(models.TextChoices):
    NEW = "new", _("New value")
    REVISED = "revised", _("Revised value")
    QUALITY = "quality", _("Data quality changed")


class ReleaseChange(models.Model):
    """What one release changed in one coalition's measures and goals: the dashboard's
    "what changed" notice. ``items`` lists the changes (see plans.tracking.releases)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="release_changes"
    )
    release = models.ForeignKey("metrics.Release", on_delete=models.CASCADE, related_name="+")
    update = models.ForeignKey(
        ReleaseUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.release_id}: {len(self.items)} changes"


__all__ = [
    "ChangeKind",
    "ReleaseChange",
    "ReleaseUpdate",
    "SubgroupTarget",
    "TrackedValue",
    "ValueSource",
]

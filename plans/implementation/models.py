"""Implementation records (Step 10): progress notes, early wins, progress reports, the
published scorecard and plan cycles.

The action's own status lives on ``StrategicAction`` and the ticked milestones on
``Milestone`` (plans/map/models.py): the MAP's records, not twins of them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.map.models import ImplementationStatus


class ProgressNote(models.Model):
    """A dated note on an action's implementation: who wrote it, when, what. A status change
    writes one too (``status`` set), so the notes are the action's history."""

    action = models.ForeignKey(
        "plans.StrategicAction", on_delete=models.CASCADE, related_name="progress_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("note"), max_length=3000, blank=True)
    status = models.CharField(
        _("status set"), max_length=12, choices=ImplementationStatus.choices, blank=True
    )
    # Internal by default: a note reaches the public scorecard only when its author chose it.
    public = models.BooleanField(_("may be published"), default=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["action", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60] or self.status


class Channel(models.TextChoices):
    """Whom an early win was shared with (the W10.1 ``communicated_to`` options)."""

    COALITION = "coalition", _("The coalition")
    LEADERSHIP = "leadership", _("Leadership or the elected body")
    COMMUNITY = "community", _("The community")
    FUNDERS = "funders", _("Funders")
    MEDIA = "media", _("Media")


class EarlyWin(models.Model):
    """A row of the Early Wins Log (W10.1) as a record linked to its strategic action."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="early_wins"
    )
    action = models.ForeignKey(
        "plans.StrategicAction",
        verbose_name=_("strategic action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="early_wins",
    )
    date = models.DateField(_("date"))
    description = models.TextField(_("what happened"), max_length=2000)
    evidence = models.CharField(_("measure or evidence"), max_length=300, blank=True)
    shared_with = models.JSONField(_("shared with"), default=list, blank=True)
    public = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-date", "-pk")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def shared_with_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels[k]) for k in self.shared_with if k in labels]


class ProgressReport(models.Model):
    """A progress report for a period, frozen like a MAP version: ``document`` holds every
    word the PDF and Word files print, so re-rendering it always gives the same report."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="progress_reports"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    include_reasons = models.BooleanField(_("include why actions stalled"), default=False)
    document = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Progress report {self.period_start}–{self.period_end}"


def _public_token() -> str:
    return secrets.token_urlsafe(18)


class ScorecardPublication(models.Model):
    """A project manager's choice to publish the coalition's scorecard (opt-in, revocable).
    ``published_at`` empty: not public. The token stays, so republishing keeps the address."""

    coalition = models.OneToOneField(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="scorecard_publication"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_reasons = models.BooleanField(_("show why actions stalled or were dropped"), default=False)
    public_token = models.CharField(max_length=40, unique=True, default=_public_token)

    def __str__(self) -> str:
        return f"Scorecard of coalition {self.coalition_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def public_path(self) -> str:
        return reverse("scorecard_public:scorecard", args=[self.public_token])


class PlanCycle(models.Model):
    """A new cycle of the plan (W8.5 annual review, W10.5), started by a project manager from
    a frozen version: the next version is compared with ``base_version``."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="plan_cycles"
    )
    number = models.PositiveIntegerField()
    base_version = models.ForeignKey(
        "plans.MapVersion", on_delete=models.PROTECT, related_name="next_cycles"
    )
    note = models.TextField(_("why a new cycle"), max_length=2000, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(fields=("coalition", "number"), name="plan_cycle_unique")
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}"


__all__ = [
    "Channel",
    "EarlyWin",
    "PlanCycle",
    "ProgressNote",
    "ProgressReport",
    "ScorecardPublication",
]

"""Models of the profile pages: derived statistics per release, coalition peers and notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseDigest(models.Model):
    """Statistics derived from a release for one kind of geography, rebuilt after imports.

    ``medians``: population-weighted medians across geographies, {variable: {year: value}}
    (Urban publishes these for counties only; for cities we compute them the same way).
    ``features``: the standardised profile of every geography used to suggest peers,
    {fips: [numbers or null]} in the order of ``feature_names``.
    """

    release = models.ForeignKey("metrics.Release", on_delete=models.CASCADE, related_name="digests")
    kind = models.CharField(max_length=10)
    medians = models.JSONField(default=dict)
    feature_names = models.JSONField(default=list)
    features = models.JSONField(default=dict)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "kind"], name="metrics_digest_key")
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.kind}"


class CoalitionPeer(models.Model):
    """A jurisdiction a coalition compares itself with (at most five)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="peers"
    )
    geography = models.ForeignKey("metrics.Geography", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("added_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["coalition", "geography"], name="coalition_peer_once")
        ]

    def __str__(self) -> str:
        return f"{self.coalition} ~ {self.geography}"


class NoteStep(models.IntegerChoices):
    STEP_2 = 2, _("Step 2: preliminary insight")
    STEP_5 = 5, _("Step 5: coalition review")


class MetricNote(models.Model):
    """A member's note pinned to a metric: an insight, a question, a caveat."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="metric_notes"
    )
    metric = models.ForeignKey("metrics.Metric", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.PositiveSmallIntegerField(
        _("for"), choices=NoteStep.choices, default=NoteStep.STEP_2
    )
    text = models.TextField(_("note"), max_length=4000)
    # A pinned gap (the disparities page): the breakdown and group the note is about.
    subgroup_type = models.CharField(_("breakdown"), max_length=32, blank=True)
    subgroup = models.CharField(_("group"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_gap(self) -> bool:
        return bool(self.subgroup)

"""Reads of values over time, always scoped to one coalition."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from coalitions.models import Coalition
from plans.map.models import HeadlineGoal, Measure
from plans.tracking.models import ReleaseChange, TrackedValue


def measure_get(coalition: Coalition, pk: int) -> Measure:
    found = Measure.objects.filter(coalition=coalition, pk=pk).select_related("coalition").first()
    if found is None:
        raise Http404
    return found


def goal_get(coalition: Coalition, pk: int) -> HeadlineGoal:
    found = (
        HeadlineGoal.objects.filter(coalition=coalition, pk=pk)
        .select_related("coalition", "priority_area")
        .first()
    )
    if found is None:
        raise Http404
    return found


def values_of(owner: Measure | HeadlineGoal) -> QuerySet[TrackedValue]:
    field = "goal" if isinstance(owner, HeadlineGoal) else "measure"
    return (
        TrackedValue.objects.filter(coalition_id=owner.coalition_id, **{field: owner})
        .select_related("entered_by", field)
        .order_by("date", "subgroup", "pk")
    )


def value_get(coalition: Coalition, pk: int) -> TrackedValue:
    found = (
        TrackedValue.objects.filter(coalition=coalition, pk=pk)
        .select_related("measure", "goal")
        .first()
    )
    if found is None:
        raise Http404
    return found


def release_changes_open(coalition: Coalition) -> list[ReleaseChange]:
    """The "what changed" notices the coalition has not dismissed, newest first."""
    return list(
        ReleaseChange.objects.filter(coalition=coalition, dismissed_at__isnull=True)
        .select_related("release")
        .order_by("-created_at", "-pk")[:3]
    )


def release_change_get(coalition: Coalition, pk: int) -> ReleaseChange:
    found = ReleaseChange.objects.filter(coalition=coalition, pk=pk).first()
    if found is None:
        raise Http404
    return found

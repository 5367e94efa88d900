"""A small strategy, MAP, review, version and export for one coalition (access tests and more)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from plans.map import services
from plans.map.models import PlanExport, Review, ReviewRound


def map_world(coalition, pm_user, reviewer) -> dict:
    area = services.priority_area_save(
        coalition=coalition, actor=pm_user, name="Jobs", pillar="rewarding-work"
    )
    theory = services.theory_save(
        coalition=coalition, actor=pm_user, problem="p", solution="s", priority_area=area
    )
    action = services.strategic_action_save(
        coalition=coalition,
        actor=pm_user,
        fields={"title": "Living wage", "priority_area": area},
        elements={"input": "Staff", "outcome_long": "Higher incomes"},
    )
    review_round = ReviewRound.objects.create(coalition=coalition, requested_by=pm_user)
    review = Review.objects.create(round=review_round, reviewer=reviewer)
    version = services.map_version_freeze(coalition=coalition, actor=pm_user)
    export = PlanExport.objects.create(
        coalition=coalition, version=version, status="succeeded", finished_at=timezone.now()
    )
    export.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return {
        "priority": area,
        "theory": theory,
        "action": action,
        "measure": coalition.measures.first(),
        "review": review,
        "version": version,
        "export": export,
    }

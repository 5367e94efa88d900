"""A small strategy, MAP, review, version and export for one coalition (access tests and more)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import JobStatus
from plans.map import services
from plans.map.models import PlanExport, Review, ReviewRound


def map_world(coalition, pm_user, reviewer) -> dict:
    pm = coalition.memberships.get(user=pm_user)
    area = services.priority_area_save(actor=pm, name="Jobs", pillar="rewarding-work")
    theory = services.theory_save(actor=pm, problem="p", solution="s", priority_area=area)
    action = services.strategic_action_save(
        actor=pm,
        fields={"title": "Living wage", "priority_area": area},
        elements={"input": "Staff", "outcome_long": "Higher incomes"},
    )
    goal = services.headline_goal_save(
        actor=pm,
        priority_area=area,
        metric_variable="share_employed",
        baseline="71%",
        baseline_date=dt.date(2023, 12, 31),
        target="75%",
        target_date=dt.date(2030, 12, 31),
    )
    review_round = ReviewRound.objects.create(coalition=coalition, requested_by=pm_user)
    review = Review.objects.create(round=review_round, reviewer=reviewer)
    version = services.map_version_freeze(actor=pm, override_reason="A first look.")
    export = PlanExport.objects.create(
        coalition=coalition, version=version, status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )
    export.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return {
        "priority": area,
        "theory": theory,
        "action": action,
        "goal": goal,
        "measure": coalition.measures.first(),
        "review": review,
        "version": version,
        "export": export,
    }

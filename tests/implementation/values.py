"""Ten years of values for every measure of a coalition (plans.tracking's TrackedValue), and
something on every implementation and tracking page (the query counts and the phone sweep)."""

from __future__ import annotations

import datetime as dt

from plans.map.models import Measure
from plans.tracking.models import SubgroupTarget, TrackedValue


def ten_years_of_values(coalition) -> int:
    rows = [
        TrackedValue(
            coalition=coalition,
            measure=m,
            period=str(year),
            date=dt.date(year, 12, 31),
            value=float(year - 2014 + i % 7),
        )
        for i, m in enumerate(Measure.objects.filter(coalition=coalition))
        for year in range(2015, 2025)
        if not m.values.exists()
    ]
    TrackedValue.objects.bulk_create(rows)
    return len(rows)


def implementation_and_tracking(coalition, pm) -> dict:
    """In ``coalition``, by its project manager ``pm``: an action with milestones and a note,
    an early win, a progress report, a plan cycle, a published scorecard; a measure and a
    headline goal with values. Returns the objects the implementation and tracking matrices'
    ``url_for`` need, under "implementation" and "tracking", and the "publication"."""
    from plans.implementation import services as impl
    from plans.implementation.models import ProgressReport
    from plans.map import services as map_services
    from tests.tracking.conftest import add_value, make_goal, make_measure

    area = map_services.priority_area_save(actor=pm, name="Implementation", pillar="")
    action = map_services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Living wage ordinance",
            "priority_area": area,
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2028, 12, 31),
        },
        elements={"output": "Ordinance adopted", "outcome_long": "Higher incomes"},
        milestones=[
            {"title": "Draft ordinance", "due_date": dt.date(2025, 6, 30)},
            {"title": "Council vote", "due_date": dt.date(2027, 3, 31)},
        ],
    )
    note = impl.progress_note_add(actor=pm, action=action, text="Started")
    win = impl.early_win_save(actor=pm, date=dt.date(2025, 5, 1), description="Hires")
    report = ProgressReport.objects.create(
        coalition=coalition,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        language="en",
        document={"subtitle": "Progress report"},
    )
    version = map_services.map_version_freeze(actor=pm, override_reason="Implementation.")
    cycle = impl.plan_cycle_start(actor=pm, version=version)
    publication = impl.scorecard_publish(actor=pm)
    measure = make_measure(coalition, subgroups=["Black", "Hispanic"])
    add_value(measure, "2023", 0.45)
    add_value(measure, "2023", 0.38, subgroup="Black")
    goal = make_goal(coalition)
    value = add_value(measure, "2024", 0.5)
    # A subgroup with its own baseline and target, on this measure and on one of the action's
    # (the scorecard shows the latter's status).
    subgroup_target = {
        "subgroup": "Black",
        "baseline_value": 0.3,
        "baseline_date": dt.date(2022, 12, 31),
        "target_value": 0.5,
        "target_date": dt.date(2030, 12, 31),
    }
    SubgroupTarget.objects.create(coalition=coalition, measure=measure, **subgroup_target)
    scored = Measure.objects.filter(element__action=action).first()
    if scored is not None:
        Measure.objects.filter(pk=scored.pk).update(subgroups=["Black"])
        SubgroupTarget.objects.create(coalition=coalition, measure=scored, **subgroup_target)
        add_value(scored, "2024", 0.35, subgroup="Black")
    add_value(goal, "2024", 0.85)
    return {
        "implementation": {
            "coalition": coalition,
            "action": action,
            "milestone": action.milestones.first(),
            "win": win,
            "report": report,
            "cycle": cycle,
            "note": note,
        },
        "tracking": {"coalition": coalition, "measure": measure, "goal": goal, "value": value},
        "publication": publication,
    }

"""Headline goals and the implementation of strategic actions as readers see them.

One home for the words and numbers of a goal (pages, the API's texts, the plan's blocks): values
through the metrics app's formatter in the goal's unit, dates in words.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from metrics.charts.formatting import HUNDREDS, display_unit, format_delta, format_value
from metrics.profiles.reading import subgroup_name_text
from plans.map import options
from plans.map.blocks import date_words
from plans.map.models import HeadlineGoal, StrategicAction


def value_text(value: float | None, unit: str) -> str:
    return format_value(value, display_unit(unit))


def gap_text(value: float | None, unit: str) -> str:
    """A gap target: signed, a share in percentage points."""
    return "" if value is None else format_delta(value, display_unit(unit))


def gap_input_text(goal: HeadlineGoal) -> str:
    """The gap target as a person types it back (percentage points for a share)."""
    if goal.gap_target is None:
        return ""
    scale = 100 if display_unit(goal.unit) in HUNDREDS else 1
    text = f"{round(goal.gap_target * scale, 6):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def baseline_text(goal: HeadlineGoal) -> str:
    """ "39.9% (2023)" """
    return _("%(value)s (%(year)s)") % {
        "value": value_text(goal.baseline_value, goal.unit),
        "year": goal.baseline_year,
    }


def target_text(goal: HeadlineGoal) -> str:
    """ "50.0% by December 31, 2030" """
    return _("%(value)s by %(date)s") % {
        "value": value_text(goal.target_value, goal.unit),
        "date": date_words(goal.target_date),
    }


def gap_target_text(goal: HeadlineGoal) -> str:
    """ "Hispanic: a gap of −5.0 percentage points to everyone by December 31, 2030" """
    if not goal.subgroup or goal.gap_target is None:
        return ""
    return _("%(group)s: a gap of %(gap)s to everyone by %(date)s") % {
        "group": subgroup_name_text(goal.subgroup),
        "gap": gap_text(goal.gap_target, goal.unit),
        "date": date_words(goal.target_date),
    }


def source_text(goal: HeadlineGoal) -> str:
    if goal.metric_variable:
        return _("Mobility Metric")
    if goal.local_dataset is not None:
        return _("Local data: %(name)s") % {"name": goal.local_dataset.name}
    return _("Local data (the dataset was deleted)")


def goal_row(goal: HeadlineGoal) -> dict[str, Any]:
    """A goal's texts for a page or a table row."""
    return {
        "goal": goal,
        "id": goal.pk,
        "indicator": goal.indicator,
        "source": source_text(goal),
        "baseline": baseline_text(goal),
        "target": target_text(goal),
        "gap_target": gap_target_text(goal),
        "subgroup": goal.subgroup,
        "note": goal.note,
    }


# --- implementation ----------------------------------------------------------------------------


def cost_text(cost: Decimal | None) -> str:
    """ "$120,000": whole dollars, as a budget reads."""
    return "" if cost is None else format_value(float(cost), "dollars")


def funding_status_text(action: StrategicAction) -> str:
    return (
        options.label(options.funding_statuses(), action.funding_status)
        if action.funding_status
        else ""
    )


def timeline_text(action: StrategicAction) -> str:
    """ "From March 1, 2027 to June 30, 2029", "From March 1, 2027", "Until ...", or ""."""
    start, end = action.start_date, action.end_date
    if start and end:
        return _("From %(start)s to %(end)s") % {
            "start": date_words(start),
            "end": date_words(end),
        }
    if start:
        return _("From %(start)s") % {"start": date_words(start)}
    if end:
        return _("Until %(end)s") % {"end": date_words(end)}
    return ""


def milestones_text(action: StrategicAction) -> str:
    """ "Ordinance drafted (June 30, 2027); First homes open (May 1, 2028)" """
    return "; ".join(
        _("%(title)s (%(date)s)") % {"title": m.title, "date": date_words(m.due_date)}
        for m in action.milestones.all()
    )

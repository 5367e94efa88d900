"""The chart of a measure's or goal's values: its series, the baseline, the target, the straight
path between them and, for a Mobility Metric, the median it is compared with.

``chart_spec`` returns a plan-document chart spec (``kind: "goal"``, plans.map.charting), so
pages, the PDF and the Word file draw the same SVG with its summary and data table. The
chart is by year: where values are by quarter or month, a year shows its latest value (the
values table lists them all).

A subgroup with its own baseline and target (``SubgroupTarget``) gets a chart of its own: its
series, its baseline, its target and the path between them (no median: the median compared
with is everyone's).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from metrics.charts.base import Chart
from metrics.charts.formatting import display_unit
from metrics.profiles.reading import subgroup_name_text
from plans.map import charting, metric_data
from plans.map.models import HeadlineGoal, Measure
from plans.tracking.models import SubgroupTarget, TrackedValue


def _label(owner: Measure | HeadlineGoal) -> str:
    if isinstance(owner, HeadlineGoal):
        return owner.indicator
    return owner.measure or owner.element_text or str(owner)


def _target(owner: Measure | HeadlineGoal | SubgroupTarget) -> dict[str, float] | None:
    if None in (owner.baseline_value, owner.target_value) or not (
        owner.baseline_date and owner.target_date
    ):
        return None
    return {
        "baseline_year": owner.baseline_date.year,
        "baseline": owner.baseline_value,  # type: ignore[dict-item]
        "year": owner.target_date.year,
        "value": owner.target_value,  # type: ignore[dict-item]
    }


def yearly_points(values: Iterable[TrackedValue], subgroup: str = "") -> list[dict[str, Any]]:
    """One point a year (the year's latest value) of one subgroup ("" for everyone)."""
    by_year: dict[int, TrackedValue] = {}
    for v in sorted(values, key=lambda v: v.date):
        if v.subgroup == subgroup:
            by_year[v.date.year] = v
    return [
        {"year": y, "value": v.value, "lb": v.lower, "ub": v.upper, "quality": v.quality}
        for y, v in sorted(by_year.items())
    ]


def chart_spec(
    owner: Measure | HeadlineGoal, values: Iterable[TrackedValue], chart_id: str = ""
) -> dict[str, Any]:
    variable = owner.metric_variable
    direction = metric_data.metric_info(variable)["direction"] if variable else ""
    benchmark_label, medians = (
        metric_data.goal_medians(owner.coalition, variable) if variable else ("", {})
    )
    return {
        "kind": "goal",
        "id": chart_id or f"values-{type(owner).__name__.lower()}-{owner.pk}",
        "label": _label(owner),
        "unit": display_unit(owner.unit),
        "direction": direction,
        "variable": variable,
        "points": yearly_points(values),
        "benchmark": {str(y): v for y, v in medians.items()},
        "benchmark_label": benchmark_label,
        "target": _target(owner),
    }


def values_chart(owner: Measure | HeadlineGoal, values: Iterable[TrackedValue]) -> Chart:
    return charting.draw(chart_spec(owner, values))


def subgroup_chart_spec(
    owner: Measure | HeadlineGoal, values: Iterable[TrackedValue], target: SubgroupTarget
) -> dict[str, Any]:
    """The chart of one subgroup's series with its own baseline, target and path."""
    variable = owner.metric_variable
    direction = metric_data.metric_info(variable)["direction"] if variable else ""
    return {
        "kind": "goal",
        "id": f"values-{type(owner).__name__.lower()}-{owner.pk}-subgroup-{target.pk}",
        "label": f"{_label(owner)}: {subgroup_name_text(target.subgroup)}",
        "unit": display_unit(owner.unit),
        "direction": direction,
        "variable": variable,
        "points": yearly_points(values, target.subgroup),
        "benchmark": {},
        "benchmark_label": "",
        "target": _target(target),
    }

"""Two parts of the plan a council reads first: headline goals and the implementation table.

``goals_blocks`` gives, per priority area, its headline goals as a table (indicator, baseline
with its year, target with its date, gap target) and a chart of each goal: the series, the
path from the baseline to the target and the national (or peers') median, with the subgroup's
gap chart where the data have it. ``implementation_blocks`` gives one table per priority area:
lead, partners, timeline, milestones, cost, funding and the decision asked of the government.
Both are providers of ``plans.map.document.PROVIDERS`` (``shows: [goals, implementation]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from metrics.profiles.reading import subgroup_name_text
from plans.map import blocks, goal_display, metric_data, selectors
from plans.map.blocks import Block
from plans.map.models import HeadlineGoal, PriorityArea, StrategicAction

if TYPE_CHECKING:
    from plans.map.document import DocContext


def _grouped(
    areas: Iterable[PriorityArea], rows: Iterable[Any]
) -> list[tuple[PriorityArea | None, list[Any]]]:
    """Rows by priority area in the areas' order; rows of no area last."""
    by_area: dict[int | None, list[Any]] = {}
    for row in rows:
        by_area.setdefault(row.priority_area_id, []).append(row)
    out: list[tuple[PriorityArea | None, list[Any]]] = [
        (area, by_area[area.pk]) for area in areas if area.pk in by_area
    ]
    if None in by_area:
        out.append((None, by_area[None]))
    return out


# --- headline goals ------------------------------------------------------------------------------


def _source_note(ctx: DocContext, goal: HeadlineGoal) -> int | None:
    """The footnote on where a goal's numbers come from (shared with the measures' notes)."""
    if goal.metric_variable:
        found = metric_data.baseline_for(ctx.coalition, goal.metric_variable)
        if found is None:
            return None
        return ctx.footnote(goal.metric_variable, metric_data.source_note(found))
    if goal.local_dataset is not None:
        text = _("%(name)s: local data collected by the coalition.") % {
            "name": goal.local_dataset.name
        }
        return ctx.footnote(f"local-{goal.local_dataset_id}", text)
    return None


def goal_chart_spec(ctx: DocContext, goal: HeadlineGoal) -> dict[str, Any] | None:
    """The data of a goal's chart (kind "goal"), or None when there is no source any more."""
    source = metric_data.goal_source(
        ctx.coalition, variable=goal.metric_variable, dataset=goal.local_dataset
    )
    if source is None:
        return None
    label, medians = metric_data.goal_medians(ctx.coalition, goal.metric_variable)
    return {
        "kind": "goal",
        "id": ctx.chart_id(),
        "variable": goal.metric_variable,
        "label": goal.indicator,
        "unit": goal.unit,
        "direction": source.direction,
        "points": metric_data.goal_series(ctx.coalition, source),
        # JSON keeps object keys as text: the drawer reads them back as years
        "benchmark": {str(year): value for year, value in medians.items()},
        "benchmark_label": label,
        "target": {
            "baseline_year": goal.baseline_year,
            "baseline": goal.baseline_value,
            "year": goal.target_date.year,
            "value": goal.target_value,
        },
    }


def goal_gap_spec(ctx: DocContext, goal: HeadlineGoal) -> dict[str, Any] | None:
    """The subgroup's gap to everyone (kind "gap"), with the gap target; None without data."""
    if not goal.subgroup:
        return None
    source = metric_data.goal_source(
        ctx.coalition, variable=goal.metric_variable, dataset=goal.local_dataset
    )
    if source is None:
        return None
    group, whole = metric_data.goal_gap_series(ctx.coalition, source, goal.subgroup)
    if not any(p["value"] is not None for p in group):
        return None
    spec: dict[str, Any] = {
        "kind": "gap",
        "id": ctx.chart_id(),
        "variable": goal.metric_variable,
        "label": _("%(indicator)s: %(group)s and everyone")
        % {"indicator": goal.indicator, "group": subgroup_name_text(goal.subgroup)},
        "unit": goal.unit,
        "direction": source.direction,
        "points": group,
        "whole_points": whole,
        "group": goal.subgroup,
    }
    if goal.gap_target is not None:
        spec["target"] = {"year": goal.target_date.year, "value": goal.gap_target}
    return spec


def goals_blocks(ctx: DocContext) -> list[Block]:
    goals = list(selectors.headline_goals(ctx.coalition))
    if not goals:
        return []
    out: list[Block] = [blocks.heading(_("Headline goals"), 2)]
    areas = list(ctx.coalition.priority_areas.all())
    for area, rows in _grouped(areas, goals):
        assert area is not None  # a goal always has its priority area
        out.append(blocks.heading(area.name, 3))
        body = []
        for goal in rows:
            note = _source_note(ctx, goal)
            ref = f" [{note}]" if note else ""
            body.append(
                [
                    goal.indicator + ref,
                    goal_display.baseline_text(goal),
                    goal_display.target_text(goal),
                    goal_display.gap_target_text(goal),
                ]
            )
        out.append(
            blocks.table(
                [_("Indicator"), _("Baseline"), _("Target"), _("Gap target")],
                body,
                caption=_("Headline goals of %(area)s") % {"area": area.name},
                row_headers=True,
                key="goals",
            )
        )
        for goal in rows:
            for spec in (goal_chart_spec(ctx, goal), goal_gap_spec(ctx, goal)):
                if spec is not None:
                    out.append(blocks.chart(spec, caption=goal.note))
    return out


# --- implementation ------------------------------------------------------------------------------


def _funding(action: StrategicAction) -> str:
    status = goal_display.funding_status_text(action)
    if status and action.funding_source:
        return _("%(status)s: %(source)s") % {"status": status, "source": action.funding_source}
    return status or action.funding_source


def _milestone_lines(action: StrategicAction) -> str:
    return "\n".join(
        _("%(date)s: %(title)s") % {"date": blocks.date_words(m.due_date), "title": m.title}
        for m in action.milestones.all()
    )


def implementation_blocks(ctx: DocContext) -> list[Block]:
    actions = list(selectors.strategic_actions(ctx.coalition))
    if not actions:
        return []
    headers = [
        _("Strategic action"),
        _("Lead"),
        _("Partners"),
        _("Timeline"),
        _("Milestones"),
        _("Estimated cost"),
        _("Funding"),
        _("Decision asked of the government"),
    ]
    numeric = [False] * 5 + [True] + [False] * 2
    out: list[Block] = [blocks.heading(_("Implementation"), 2)]
    areas = list(ctx.coalition.priority_areas.all())
    for area, rows in _grouped(areas, actions):
        name = area.name if area else str(_("Other strategic actions"))
        table = blocks.table(
            headers,
            [
                [
                    a.title,
                    a.lead_organisation,
                    a.partners,
                    goal_display.timeline_text(a),
                    _milestone_lines(a),
                    goal_display.cost_text(a.estimated_cost),
                    _funding(a),
                    a.decision_asked,
                ]
                for a in rows
            ],
            caption=_("Implementation of %(area)s") % {"area": name},
            numeric=numeric,
            row_headers=True,
            key="implementation",
        )
        if len(table["headers"]) > 1:  # more than the actions' titles: something to tell
            out += [blocks.heading(name, 3), table]
    return out

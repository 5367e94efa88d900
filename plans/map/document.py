"""The MAP as one plain, JSON-serialisable document.

``build_document`` gathers the sections (prefilled from the worksheets that feed them, plus
the coalition's narrative), the strategy records, the measurement plan with its baselines and
the metric footnotes. A frozen version stores this dict; the draft page, the public page and
the PDF all render from it, so what was frozen is exactly what is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from metrics.charts import gap_chart, trend_chart
from metrics.charts.formatting import display_unit
from metrics.profiles.reading import chart_direction, chart_unit
from plans import definitions
from plans.display import answer_fields, records, render_markdown, value_text
from plans.map import metric_data, options, selectors
from plans.map.models import (
    ElementKind,
    PriorityArea,
    StrategicAction,
)

MAX_ITEM_CHARS = 1500


def worksheet_blocks(coalition: Coalition, worksheet_keys: tuple[str, ...]) -> list[dict]:
    """What the feeding worksheets say, as (worksheet, [label, text]) blocks.

    Only the coalition's shared answers: members' own (individual) worksheets stay private.
    """
    from plans.selectors import member_names, shared_response

    names = member_names(coalition)
    blocks = []
    for key in worksheet_keys:
        ws = definitions.worksheet(key)
        if ws.filled_by.mode != "coalition":
            continue
        response = shared_response(coalition, key)
        if response is None or not response.data:
            continue
        items = []
        for i, record in enumerate(records(ws, response.data), 1):
            prefix = f"{ws.repeats} {i} – " if ws.repeats else ""
            for f in answer_fields(ws):
                if f.process:
                    continue
                text = value_text(f, record.get(f.key), names).strip()
                if text:
                    items.append({"label": prefix + f.label, "text": text[:MAX_ITEM_CHARS]})
        if items:
            blocks.append({"worksheet": key, "title": f"{ws.number} {ws.title}", "items": items})
    return blocks


def _vision(coalition: Coalition) -> dict[str, Any]:
    vision = selectors.vision(coalition)
    if vision is None:
        return {"statement": "", "adopted_on": "", "adopted_how": ""}
    return {
        "statement": vision.statement,
        "adopted_on": vision.adopted_on.isoformat() if vision.adopted_on else "",
        "adopted_how": vision.adopted_how,
    }


def _area_dict(area: PriorityArea) -> dict[str, Any]:
    fw = definitions.framework()
    pillar = ""
    if area.pillar:
        try:
            pillar = fw.pillar(area.pillar).name
        except KeyError:
            pillar = area.pillar
    return {
        "id": area.pk,
        "name": area.name,
        "pillar": pillar,
        "predictors": options.labels(options.predictors(), area.predictors),
        "rationale": area.rationale,
    }


def _action_dict(action: StrategicAction) -> dict[str, Any]:
    elements: dict[str, list[str]] = {k: [] for k in ElementKind.values}
    for element in action.elements.all():
        elements[element.kind].append(element.text)
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "priority_area": action.priority_area.name if action.priority_area else "",
        "action_types": options.labels(options.action_types(), action.action_types),
        "systems_conditions": options.labels(
            options.systems_conditions(), action.systems_conditions
        ),
        "target_population": action.target_population,
        "lead_organisation": action.lead_organisation,
        "partners": action.partners,
        "start_date": action.start_date.isoformat() if action.start_date else "",
        "end_date": action.end_date.isoformat() if action.end_date else "",
        "working_group": action.working_group.name if action.working_group else "",
        "elements": elements,
    }


def _footnote_text(baseline: metric_data.Baseline) -> str:
    return _(
        "%(label)s. Source: %(source)s; release %(release)s; year %(year)s; "
        "data quality: %(quality)s."
    ) % {
        "label": baseline.label,
        "source": metric_data.SOURCE,
        "release": baseline.release_name,
        "year": baseline.year,
        "quality": baseline.quality_label,
    }


def _measures(coalition: Coalition, footnotes: list[dict]) -> list[dict[str, Any]]:
    rows = []
    kinds = dict(ElementKind.choices)
    notes: dict[str, int] = {}
    for m in selectors.measures(coalition):
        baseline = (
            metric_data.baseline_for(coalition, m.metric_variable) if m.metric_variable else None
        )
        note = None
        if baseline is not None:
            key = m.metric_variable
            if key not in notes:
                footnotes.append({"n": len(footnotes) + 1, "text": _footnote_text(baseline)})
                notes[key] = len(footnotes)
            note = notes[key]
        gap_baseline = (
            metric_data.gap_baseline_for(coalition, m.metric_variable, m.gap_subgroup)
            if m.metric_variable and m.gap_subgroup
            else None
        )
        gap = ""
        if m.gap_subgroup and m.gap_reduction_percent:
            gap = _("Close the gap between %(group)s and everyone by %(pct)s%%") % {
                "group": m.gap_subgroup,
                "pct": m.gap_reduction_percent,
            }
        rows.append(
            {
                "id": m.pk,
                "action": m.element.action.title if m.element else m.action_title,
                "element_kind": str(kinds.get(m.element_kind, m.element_kind)),
                "element_text": m.element.text if m.element else m.element_text,
                "orphaned": m.is_orphaned,
                "measure": m.measure,
                "kind": options.label(options.measure_kinds(), m.kind) if m.kind else "",
                "metric": metric_data.metric_label(m.metric_variable) if m.metric_variable else "",
                "metric_variable": m.metric_variable,
                "baseline": (
                    baseline.value_text if baseline and baseline.value is not None else m.baseline
                ),
                "baseline_year": baseline.year if baseline else "",
                "baseline_quality": baseline.quality_label if baseline else "",
                "baseline_weak": bool(baseline and baseline.is_weak),
                "footnote": note,
                "target": m.target,
                "target_date": m.target_date.isoformat() if m.target_date else "",
                "gap_target": gap,
                # The group's own baseline and the whole's, from the data, with both series.
                "gap_baseline": gap_baseline.as_dict() if gap_baseline else None,
                "disaggregation": options.labels(options.disaggregations(), m.disaggregation),
                "data_source": m.data_source,
                "frequency": options.label(options.frequencies(), m.frequency)
                if m.frequency
                else "",
                "responsible": m.responsible,
                "audience": options.labels(options.audiences(), m.audience),
            }
        )
    return rows


def _charts(coalition: Coalition, measures: list[dict]) -> list[dict[str, Any]]:
    """One trend chart per linked metric with data, in the order the measures name them."""
    charts, seen = [], set()
    for row in measures:
        variable = row["metric_variable"]
        gap = row.get("gap_baseline")
        if variable and gap and (variable, gap["group"]) not in seen:
            seen.add((variable, gap["group"]))
            info = metric_data.metric_info(variable)
            charts.append(
                {
                    "variable": variable,
                    "kind": "gap",
                    "points": gap["group_series"],
                    "whole_points": gap["whole_series"],
                    "group": gap["group"],
                    **info,
                    "note": row["footnote"],
                }
            )
        if not variable or variable in seen:
            continue
        seen.add(variable)
        points = metric_data.series_for(coalition, variable)
        if points:
            info = metric_data.metric_info(variable)
            charts.append({"variable": variable, "points": points, **info, "note": row["footnote"]})
    return charts


def _approval_record(coalition: Coalition) -> list[dict[str, Any]]:
    out = []
    for review_round in selectors.review_rounds(coalition):
        for review in review_round.reviews.all():
            out.append(
                {
                    "reviewer": str(review.reviewer.user.name or review.reviewer.user.email),
                    "reviewer_type": review.get_reviewer_type_display(),
                    "decision": review.get_decision_display(),
                    "comment": review.comment,
                    "date": review.decided_at.date().isoformat() if review.decided_at else "",
                }
            )
    return out


def build_document(coalition: Coalition, *, version: int | None = None) -> dict[str, Any]:
    drafts = selectors.section_drafts(coalition)
    footnotes: list[dict] = []
    measures = _measures(coalition, footnotes)
    theories = selectors.theories(coalition)
    actions = selectors.strategic_actions(coalition)
    charts = _charts(coalition, measures)
    vision = _vision(coalition)
    gaps = metric_data.pinned_gaps(coalition)
    # Which records exist, by the names the sections' ``shows`` use (map_sections.yaml).
    has = {
        # "charts": what the Mobility Metrics show (trend charts and the gaps members pinned).
        "charts": bool(charts or gaps),
        "vision": bool(vision["statement"]),
        "theories": theories.exists(),
        "priorities": coalition.priority_areas.exists(),
        "actions": actions.exists(),
        "measures": bool(measures),
    }
    sections = []
    for spec in definitions.map_sections():
        draft = drafts.get(spec.key)
        narrative = draft.narrative if draft else ""
        owner = draft.owner if draft else None
        blocks = worksheet_blocks(coalition, spec.fed_by)
        sections.append(
            {
                "key": spec.key,
                "number": spec.number,
                "title": spec.title,
                "contains": spec.contains,
                "status": draft.status if draft else "draft",
                "owner": str(owner.user.name or owner.user.email) if owner else "",
                "narrative": narrative,
                "narrative_html": render_markdown(narrative),
                "blocks": blocks,
                "fed_by": list(spec.fed_by),
                "shows": list(spec.shows),
                # Nothing written, fed or recorded yet: the page and the PDF say so.
                "empty": not (narrative or blocks or any(has[r] for r in spec.shows)),
            }
        )
    return {
        "title": _("%(place)s Mobility Action Plan") % {"place": coalition.geography.name},
        "coalition": coalition.name,
        "jurisdiction": str(coalition.geography.full_name),
        "language": get_language() or "en",
        "generated_at": timezone.now().isoformat(),
        "version": version,
        "release_name": metric_data.active_release_name(),
        "sections": sections,
        "vision": vision,
        "priorities": [_area_dict(a) for a in coalition.priority_areas.all()],
        "theories": [
            {
                "priority_area": t.priority_area.name if t.priority_area else "",
                "statement": t.final_statement,
            }
            for t in theories
        ],
        "actions": [_action_dict(a) for a in actions],
        "measures": measures,
        "charts": charts,
        "gaps": gaps,
        "footnotes": footnotes,
        "approvals": _approval_record(coalition),
    }


def compare_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed from one version to the next: per section, and in the strategy."""
    import difflib

    changes = []
    old_sections = {s["key"]: s for s in old.get("sections", [])}
    for section in new.get("sections", []):
        before = old_sections.get(section["key"], {})
        if before.get("narrative", "") != section["narrative"] or before.get(
            "blocks"
        ) != section.get("blocks"):
            diff = list(
                difflib.unified_diff(
                    before.get("narrative", "").splitlines(),
                    section["narrative"].splitlines(),
                    lineterm="",
                    n=1,
                )
            )[2:]
            changes.append({"what": f"{section['key']} {section['title']}", "diff": diff})
    for part, label in (
        ("vision", _("Vision")),
        ("theories", _("Theory of change")),
        ("actions", _("Strategic actions")),
        ("measures", _("Measurement plan")),
    ):
        if old.get(part) != new.get(part):
            changes.append({"what": str(label), "diff": _summarise(old.get(part), new.get(part))})
    return changes


def _summarise(old: Any, new: Any) -> list[str]:
    if isinstance(old, list) and isinstance(new, list):
        return [
            _("%(old)s before, %(new)s now") % {"old": len(old), "new": len(new)},
        ]
    return [_("Changed")]


def charts_for(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's metric series drawn as SVG (with summary and table) for the template."""
    out = []
    for i, spec in enumerate(document.get("charts", []), 1):
        if spec.get("kind") == "gap":
            chart = gap_chart(
                spec["points"],
                spec["whole_points"],
                title=spec["label"],
                unit=chart_unit(spec.get("unit") or "number"),
                subgroup_label=spec["group"],
                whole_label=_("All"),
                direction=chart_direction(spec.get("direction") or ""),
                chart_id=f"chart-{i}",
            )
        else:
            chart = trend_chart(
                spec["points"],
                title=spec["label"],
                unit=display_unit(spec.get("unit") or "number"),
                direction=spec.get("direction") or None,
                missing_reasons=metric_data.missing_reasons(spec.get("variable", "")),
                chart_id=f"chart-{i}",
                width=620,
            )
        out.append({"chart": chart, "note": spec.get("note")})
    return out

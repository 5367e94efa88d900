"""Reads of implementation tracking: the scorecard, early wins, the next cycle's candidates.

``scorecard`` reads a coalition's whole scorecard in a constant number of queries, whatever
the number of priorities, goals, actions, milestones, notes and measures (and the measure
statuses come from ``plans.tracking.status``, constant as well).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Membership, WorkingGroup
from plans.definitions import worksheet_by_role
from plans.implementation.models import EarlyWin, PlanCycle, ProgressNote, ScorecardPublication
from plans.map import goal_display, options
from plans.map.blocks import date_words
from plans.map.models import (
    STATUSES_WITH_REASON,
    ElementKind,
    HeadlineGoal,
    ImplementationStatus,
    MapVersion,
    Measure,
    Milestone,
    PriorityArea,
    StrategicAction,
)

# --- the measures helper's statuses (plans.tracking.status), read through one seam ----------


def measure_statuses(coalition: Coalition, measures: list[Measure] | None = None) -> dict[int, Any]:
    """Each measure's status and latest value (plans.tracking.status), or none where that
    module is not installed. ``measures``: the ones to read, when the caller has them."""
    try:
        from plans.tracking import status
    except ImportError:  # a deployment without measure values: no statuses
        return {}
    return dict(status.measure_statuses(coalition, measures=measures))


def goal_statuses(coalition: Coalition, goals: list[HeadlineGoal] | None = None) -> dict[int, Any]:
    try:
        from plans.tracking import status
    except ImportError:
        return {}
    return dict(status.goal_statuses(coalition, goals=goals))


def both_statuses(
    coalition: Coalition, measures: list[Measure], goals: list[HeadlineGoal]
) -> tuple[dict[int, Any], dict[int, Any]]:
    """The measures' and the goals' statuses read together (two queries in all)."""
    try:
        from plans.tracking import status
    except ImportError:
        return {}, {}
    return status.measure_and_goal_statuses(coalition, measures=measures, goals=goals)


def _status_fields(found: Any) -> dict[str, Any]:
    """What the scorecard shows of a measure's or goal's status (empty without one)."""
    if found is None:
        return {
            "status": "",
            "status_label": "",
            "latest_text": "",
            "latest_date": "",
            "gap_status_label": "",
            "series_url": "",
            "subgroup_statuses": [],
        }
    latest = getattr(found, "latest_date", None)
    return {
        "status": str(getattr(found, "status", "") or ""),
        "status_label": str(getattr(found, "status_label", "") or ""),
        "gap_status_label": str(getattr(found, "gap_status_label", "") or ""),
        "series_url": str(getattr(found, "series_url", "") or ""),
        "latest_text": str(getattr(found, "latest_text", "") or ""),
        "latest_date": latest.isoformat() if isinstance(latest, dt.date) else "",
        "latest_date_text": date_words(latest) if isinstance(latest, dt.date) else "",
        "gap_status": str(getattr(found, "gap_status", "") or ""),
        # Subgroups with their own baseline and target: public like everyone's status.
        "subgroup_statuses": [
            {
                "subgroup": sg.subgroup,
                "subgroup_label": sg.subgroup_label,
                "status": sg.status,
                "status_label": sg.status_label,
                "latest_text": sg.latest_text,
            }
            for sg in getattr(found, "subgroup_statuses", ())
        ],
    }


# --- the scorecard ----------------------------------------------------------------------------


@dataclass
class Filters:
    """The scorecard's GET filters (ids as given; unknown ids simply match nothing)."""

    priority: int | None = None
    group: int | None = None
    owner: int | None = None
    status: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Filters:
        def number(name: str) -> int | None:
            value = str(query.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        status = str(query.get("status") or "")
        return cls(
            priority=number("priority"),
            group=number("group"),
            owner=number("owner"),
            status=status if status in ImplementationStatus.values else "",
        )

    @property
    def on_actions(self) -> bool:
        return bool(self.group or self.owner or self.status)

    def as_query(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Scorecard:
    areas: list[dict[str, Any]] = field(default_factory=list)
    early_wins: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "counts": self.counts,
            "priority_areas": self.areas,
            "early_wins": self.early_wins,
        }


def _actions(coalition: Coalition, filters: Filters, *, public: bool) -> QuerySet:
    notes = ProgressNote.objects.filter(action=OuterRef("pk")).exclude(text="")
    if public:
        notes = notes.filter(public=True)
    notes = notes.order_by("-created_at", "-pk")
    found = (
        StrategicAction.objects.filter(coalition=coalition)
        .select_related("working_group", "owner__user", "priority_area")
        .annotate(
            note_text=Subquery(notes.values("text")[:1]),
            note_at=Subquery(notes.values("created_at")[:1]),
        )
        .order_by("priority_area__position", "priority_area_id", "position", "pk")
    )
    if filters.priority:
        found = found.filter(priority_area_id=filters.priority)
    if filters.group:
        found = found.filter(working_group_id=filters.group)
    if filters.owner:
        found = found.filter(owner_id=filters.owner)
    if filters.status:
        found = found.filter(status=filters.status)
    return found


def _milestone_rows(action_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in Milestone.objects.filter(action_id__in=action_ids):
        rows[m.action_id].append(
            {
                "id": m.pk,
                "title": m.title,
                "due_date": m.due_date.isoformat(),
                "due_text": date_words(m.due_date),
                "done_on": m.done_on.isoformat() if m.done_on else "",
                "done_text": date_words(m.done_on) if m.done_on else "",
                "overdue": m.done_on is None and m.due_date < timezone.localdate(),
            }
        )
    return rows


def _scorecard_measures(coalition: Coalition, action_ids: list[int]) -> list[Measure]:
    return list(
        Measure.objects.filter(
            coalition=coalition, element__action_id__in=action_ids
        ).select_related("element")
    )


def _measure_rows(
    measures: list[Measure], statuses: dict[int, Any], *, public: bool = False
) -> dict[int, list[dict[str, Any]]]:
    kinds = dict(ElementKind.choices)
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in measures:
        assert m.element is not None  # filtered on the element's action
        rows[m.element.action_id].append(
            {
                "id": m.pk,
                "measure": m.measure or m.element_text,
                "level": str(kinds.get(m.element_kind, "")),
                "target": m.target,
                **_status_fields(statuses.get(m.pk)),
                # The series page is the coalition's: the public scorecard links nowhere.
                **({"series_url": ""} if public else {}),
            }
        )
    return rows


def _action_row(
    action: StrategicAction,
    milestones: list[dict[str, Any]],
    measures: list[dict[str, Any]],
    *,
    public: bool,
    show_reasons: bool,
) -> dict[str, Any]:
    open_ones = [m for m in milestones if not m["done_on"]]
    reason = action.status_reason if (not public or show_reasons) else ""
    return {
        "id": action.pk,
        "title": action.title,
        "status": action.status,
        "status_label": str(ImplementationStatus(action.status).label),
        "reason": reason if action.status in STATUSES_WITH_REASON else "",
        "lead": action.lead_organisation,
        "working_group": action.working_group.name if action.working_group else "",
        # People's names stay inside the coalition: the public scorecard names organisations.
        "owner": "" if public or action.owner is None else _member_name(action.owner),
        "timeline": goal_display.timeline_text(action),
        "milestones": milestones,
        "milestones_done": len(milestones) - len(open_ones),
        "next_milestone": open_ones[0] if open_ones else None,
        "latest_note": action.note_text or "",  # type: ignore[attr-defined]
        "latest_note_date": date_words(action.note_at) if action.note_at else "",  # type: ignore[attr-defined]
        "measures": measures,
    }


def _member_name(membership: Membership) -> str:
    return str(membership.user.name or membership.user.email)


def _goal_row(goal: HeadlineGoal, found: Any) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "indicator": goal.indicator,
        "baseline": goal_display.baseline_text(goal),
        "target": goal_display.target_text(goal),
        "gap_target": goal_display.gap_target_text(goal),
        **_status_fields(found),
    }


def scorecard(
    coalition: Coalition,
    filters: Filters | None = None,
    *,
    public: bool = False,
    show_reasons: bool = False,
    areas: list[PriorityArea] | None = None,
) -> Scorecard:
    """Priorities → headline goals → strategic actions (status, milestones, latest note) →
    their measures (status, latest value), and the early wins. ``public``: what the published
    scorecard may show (no names of people, no internal notes, no reasons unless chosen, only
    published early wins). ``areas``: the coalition's priority areas, when the caller read
    them already (the filter menus)."""
    filters = filters or Filters()
    actions = list(_actions(coalition, filters, public=public))
    ids = [a.pk for a in actions]
    milestones = _milestone_rows(ids)
    scored = _scorecard_measures(coalition, ids)
    goals = list(HeadlineGoal.objects.filter(coalition=coalition))
    found_measures, found_goals = both_statuses(coalition, scored, goals)
    measures = _measure_rows(scored, found_measures, public=public)
    goals_by_area: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for goal in goals:
        goals_by_area[goal.priority_area_id].append(_goal_row(goal, found_goals.get(goal.pk)))
    by_area: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for a in actions:
        by_area[a.priority_area_id].append(
            _action_row(
                a,
                milestones.get(a.pk, []),
                measures.get(a.pk, []),
                public=public,
                show_reasons=show_reasons,
            )
        )
    rows_by_area = []
    for area in coalition.priority_areas.all() if areas is None else areas:
        if filters.priority and area.pk != filters.priority:
            continue
        rows = by_area.get(area.pk, [])
        if filters.on_actions and not rows:
            continue
        rows_by_area.append(
            {"id": area.pk, "name": area.name, "goals": goals_by_area[area.pk], "actions": rows}
        )
    if by_area.get(None) and not filters.priority:
        rows_by_area.append(
            {"id": None, "name": _("Not in a priority area"), "goals": [], "actions": by_area[None]}
        )
    counts = dict.fromkeys(ImplementationStatus.values, 0)
    for a in actions:
        counts[a.status] += 1
    return Scorecard(
        areas=rows_by_area,
        early_wins=early_win_rows(coalition, public=public),
        counts=[
            {"status": s, "status_label": str(ImplementationStatus(s).label), "count": n}
            for s, n in counts.items()
        ],
        filters=filters.as_query(),
    )


def early_win_rows(coalition: Coalition, *, public: bool = False, limit: int = 60) -> list[dict]:
    wins = EarlyWin.objects.filter(coalition=coalition).select_related("action")
    if public:
        wins = wins.filter(public=True)
    return [
        {
            "id": w.pk,
            "date": w.date.isoformat(),
            "date_text": date_words(w.date),
            "description": w.description,
            "action": w.action.title if w.action else "",
            "evidence": w.evidence,
            **({} if public else {"shared_with": w.shared_with_labels, "public": w.public}),
        }
        for w in wins[:limit]
    ]


def filter_choices(
    coalition: Coalition, areas: list[PriorityArea] | None = None
) -> dict[str, list[tuple[Any, str]]]:
    """The scorecard's filter menus: priorities (``areas`` when the caller read them already),
    working groups, owners, statuses."""
    if areas is None:
        areas = list(coalition.priority_areas.all())
    return {
        "priority": [(a.pk, a.name) for a in areas],
        "group": [(g.pk, g.name) for g in WorkingGroup.objects.filter(coalition=coalition)],
        "owner": [
            (m.pk, _member_name(m))
            for m in Membership.objects.filter(coalition=coalition, owned_actions__isnull=False)
            .select_related("user")
            .distinct()
        ],
        "status": [(k, str(v)) for k, v in ImplementationStatus.choices],
    }


# --- single records, always within the coalition ----------------------------------------------


def action_get(coalition: Coalition, pk: int) -> StrategicAction:
    found = (
        StrategicAction.objects.filter(coalition=coalition, pk=pk)
        .select_related("owner__user", "priority_area", "working_group")
        .first()
    )
    if found is None:
        raise Http404
    return found


def milestone_get(coalition: Coalition, pk: int) -> Milestone:
    found = (
        Milestone.objects.filter(action__coalition=coalition, pk=pk)
        .select_related("action")
        .first()
    )
    if found is None:
        raise Http404
    return found


def early_win_get(coalition: Coalition, pk: int) -> EarlyWin:
    found = EarlyWin.objects.filter(coalition=coalition, pk=pk).select_related("action").first()
    if found is None:
        raise Http404
    return found


def progress_note_get(coalition: Coalition, pk: int) -> ProgressNote:
    found = (
        ProgressNote.objects.filter(action__coalition=coalition, pk=pk)
        .select_related("action", "author")
        .first()
    )
    if found is None:
        raise Http404
    return found


def progress_notes(action: StrategicAction) -> QuerySet[ProgressNote]:
    return action.progress_notes.select_related("author")


def publication(coalition: Coalition) -> ScorecardPublication | None:
    return ScorecardPublication.objects.filter(coalition=coalition).first()


def published_scorecard(token: str) -> ScorecardPublication:
    """The public scorecard's only way in: a published scorecard by its token."""
    found = (
        ScorecardPublication.objects.filter(public_token=token, published_at__isnull=False)
        .select_related("coalition", "coalition__geography")
        .first()
    )
    if found is None:
        raise Http404
    return found


def progress_reports(coalition: Coalition) -> QuerySet:
    from plans.implementation.models import ProgressReport

    return ProgressReport.objects.filter(coalition=coalition).prefetch_related("exports")


def report_get(coalition: Coalition, pk: int) -> Any:
    found = progress_reports(coalition).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- early wins in the W10.1 worksheet ------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def early_win_rows_from_worksheet(coalition: Coalition) -> list[dict[str, Any]]:
    """The W10.1 table's rows that can become records (a date and what happened)."""
    from plans.selectors import shared_response

    response = shared_response(coalition, worksheet_by_role("early_wins").key)
    rows = (response.data or {}).get("wins") if response else None
    out = []
    for row in rows or []:
        when, text = _date(row.get("date")), str(row.get("description") or "").strip()
        if when is None or not text:
            continue
        out.append(
            {
                "date": when,
                "description": text[:2000],
                "action_title": str(row.get("strategic_action") or ""),
                "evidence": str(row.get("evidence") or "")[:300],
                "shared_with": list(row.get("communicated_to") or []),
            }
        )
    return out


# --- the next cycle --------------------------------------------------------------------------


def cycles(coalition: Coalition) -> QuerySet[PlanCycle]:
    return PlanCycle.objects.filter(coalition=coalition).select_related("base_version")


def cycle_get(coalition: Coalition, pk: int) -> PlanCycle:
    found = cycles(coalition).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclass
class CycleComparison:
    """The two plans of a cycle side by side: its base version against the first version
    frozen after it (``later``), or, until one is, the current draft (``later`` is None)."""

    cycle: PlanCycle
    base: MapVersion
    later: MapVersion | None
    changes: list[dict[str, Any]]


def cycle_comparison(coalition: Coalition, cycle: PlanCycle) -> CycleComparison:
    from plans.map import document as doc_module
    from plans.map import selectors as map_selectors
    from plans.map.document_cache import document_for_page

    base = cycle.base_version
    later = map_selectors.next_version(base)
    # Until a later version is frozen: the cached draft, as the plan's own compare page reads it.
    newer = later.document if later else document_for_page(coalition)
    return CycleComparison(
        cycle=cycle,
        base=base,
        later=later,
        changes=doc_module.compare_documents(base.document, newer),
    )


def cycle_candidates(coalition: Coalition) -> list[dict[str, Any]]:
    """Priorities for the next cycle: W7.1 rows marked "Later" and W10.5's rows, less those
    that became priority areas since."""
    from plans.selectors import shared_response

    predictors = dict(options.predictors())
    pillars = dict(options.pillars())
    taken = {a.name.strip().casefold() for a in coalition.priority_areas.all()}
    out: list[dict[str, Any]] = []
    later = shared_response(coalition, worksheet_by_role("priorities").key)
    for row in ((later.data or {}).get("priorities") if later else None) or []:
        if row.get("selected") != "later":
            continue
        predictor = str(row.get("predictor") or "")
        name = predictors.get(predictor) or pillars.get(str(row.get("pillar") or ""), "")
        if not name:
            continue
        out.append(
            {
                "name": str(name),
                "pillar": str(row.get("pillar") or ""),
                "pillar_label": str(pillars.get(str(row.get("pillar") or ""), "")),
                "predictor": predictor,
                "rationale": str(row.get("rationale") or ""),
                "origin": _("Marked “Later” in Worksheet 7.1"),
                "when": "",
            }
        )
    nxt = shared_response(coalition, worksheet_by_role("next_cycle").key)
    for row in ((nxt.data or {}).get("next_priorities") if nxt else None) or []:
        predictor = str(row.get("predictor") or "")
        name = str(row.get("priority") or "").strip() or str(predictors.get(predictor, ""))
        if not name:
            continue
        out.append(
            {
                "name": name,
                "pillar": "",
                "pillar_label": "",
                "predictor": predictor if predictor in predictors else "",
                "rationale": str(row.get("reason") or ""),
                "origin": _("Listed in Worksheet 10.5"),
                "when": str(row.get("revisit_when") or ""),
            }
        )
    seen: set[str] = set()
    kept = []
    for c in out:
        key = c["name"].strip().casefold()
        if key and key not in taken and key not in seen:
            seen.add(key)
            kept.append(c)
    return kept

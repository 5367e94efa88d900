"""The progress report: what moved, what stalled, early wins and the next milestones of a
period, as a document of blocks (plans/map/blocks.py) that the plan's PDF and Word exports
render. It is built once, in the plan's language, and stored (``ProgressReport.document``):
re-rendering a report always prints the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from plans.implementation.models import EarlyWin, ProgressNote
from plans.implementation.selectors import goal_statuses, measure_statuses
from plans.map import blocks
from plans.map.blocks import Block, date_words, period_words
from plans.map.front import front_matter
from plans.map.models import (
    STATUSES_WITH_REASON,
    HeadlineGoal,
    ImplementationStatus,
    Measure,
    Milestone,
    StrategicAction,
)

NEXT_MILESTONES = 20


def _in(value: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return value is not None and start <= value <= end


def build_report_document(
    coalition: Coalition,
    *,
    period_start: dt.date,
    period_end: dt.date,
    language: str,
    include_reasons: bool = False,
) -> dict[str, Any]:
    with translation.override(language):
        return _build(coalition, period_start, period_end, language, include_reasons)


def _build(
    coalition: Coalition, start: dt.date, end: dt.date, language: str, include_reasons: bool
) -> dict[str, Any]:
    actions = list(
        StrategicAction.objects.filter(coalition=coalition).select_related("priority_area")
    )
    period = period_words(start, end)
    sections = [
        ("overview", _("Overview"), _overview(actions, period)),
        ("moved", _("What moved"), _moved(coalition, actions, start, end)),
        ("stalled", _("What stalled"), _stalled(actions, end, include_reasons)),
        ("wins", _("Early wins"), _wins(coalition, start, end)),
        ("next", _("The next milestones"), _next(coalition, end)),
    ]
    return {
        "kind": "progress",
        "title": _("%(place)s Mobility Action Plan") % {"place": coalition.geography.name},
        "subtitle": _("Progress report, %(period)s") % {"period": period},
        "period_text": period,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "coalition": coalition.name,
        "jurisdiction": str(coalition.geography.full_name),
        "language": language,
        "generated_at": timezone.now().isoformat(),
        "front": front_matter(coalition),
        "sections": [
            {"key": key, "number": str(i), "title": str(title), "blocks": blocks.clean(found)}
            for i, (key, title, found) in enumerate(sections, 1)
        ],
    }


def _area(action: StrategicAction) -> str:
    return action.priority_area.name if action.priority_area else ""


def _overview(actions: list[StrategicAction], period: str) -> list[Block]:
    counts = dict.fromkeys(ImplementationStatus.values, 0)
    for a in actions:
        counts[a.status] += 1
    return [
        blocks.text(
            _("This report covers %(period)s. Strategic actions done: %(done)s of %(n)s.")
            % {"period": period, "n": len(actions), "done": counts[ImplementationStatus.DONE]}
        ),
        blocks.table(
            [_("Status"), _("Strategic actions")],
            [[ImplementationStatus(s).label, str(n)] for s, n in counts.items()],
            caption=_("Strategic actions by status at the end of the period"),
            numeric=[False, True],
            row_headers=True,
            key="progress-counts",
            drop_empty_columns=False,
        ),
    ]


def _moved(
    coalition: Coalition, actions: list[StrategicAction], start: dt.date, end: dt.date
) -> list[Block]:
    by_id = {a.pk: a for a in actions}
    changes: dict[int, ProgressNote] = {}
    notes = ProgressNote.objects.filter(
        action__coalition=coalition,
        created_at__date__gte=start,
        created_at__date__lte=end,
    ).exclude(status="")
    for note in notes.order_by("created_at", "pk"):
        changes[note.action_id] = note  # the last change in the period
    status_rows = [
        [
            by_id[i].title,
            _area(by_id[i]),
            ImplementationStatus(note.status).label,
            date_words(timezone.localtime(note.created_at).date()),
        ]
        for i, note in changes.items()
        if i in by_id
    ]
    done = Milestone.objects.filter(
        action__coalition=coalition, done_on__gte=start, done_on__lte=end
    ).select_related("action")
    milestone_rows = [[m.title, m.action.title, date_words(m.done_on)] for m in done]
    out: list[Block] = [
        blocks.table(
            [_("Strategic action"), _("Priority area"), _("Status"), _("Since")],
            status_rows,
            caption=_("Strategic actions whose status changed"),
            row_headers=True,
            key="progress-status-changes",
        ),
        blocks.table(
            [_("Milestone"), _("Strategic action"), _("Done on")],
            milestone_rows,
            caption=_("Milestones reached"),
            row_headers=True,
            key="progress-milestones-done",
        ),
        *_values_moved(coalition, start, end),
    ]
    if not status_rows and not milestone_rows and len(out) == 2:
        out.append(blocks.note(_("No status changed and no milestone was reached in the period.")))
    return out


def _latest(found: Any) -> list[str]:
    """The latest value, the period it is of (a reader needs both: 2024's value may arrive
    in 2026) and the status."""
    from plans.tracking.periods import period_label

    period = getattr(found, "latest_period", "")
    return [found.latest_text, period_label(period) if period else "", found.status_label]


def _values_moved(coalition: Coalition, start: dt.date, end: dt.date) -> list[Block]:
    """Headline goals and measures with a value dated in the period (plans.tracking)."""
    rows = []
    found = goal_statuses(coalition)
    for goal in HeadlineGoal.objects.filter(coalition=coalition):
        s = found.get(goal.pk)
        if s is not None and _in(getattr(s, "latest_date", None), start, end):
            rows.append([goal.indicator, _("Headline goal"), *_latest(s)])
        for sg in getattr(s, "subgroup_statuses", ()):
            if _in(sg.latest_date, start, end):
                name = _("%(measure)s: %(subgroup)s") % {
                    "measure": goal.indicator,
                    "subgroup": sg.subgroup_label,
                }
                rows.append([name, _("Headline goal, subgroup"), *_latest(sg)])
    found = measure_statuses(coalition)
    for measure in Measure.objects.filter(coalition=coalition, element__isnull=False):
        s = found.get(measure.pk)
        if s is not None and _in(getattr(s, "latest_date", None), start, end):
            rows.append([str(measure), _("Measure"), *_latest(s)])
        for sg in getattr(s, "subgroup_statuses", ()):
            if _in(sg.latest_date, start, end):
                name = _("%(measure)s: %(subgroup)s") % {
                    "measure": measure,
                    "subgroup": sg.subgroup_label,
                }
                rows.append([name, _("Measure, subgroup"), *_latest(sg)])
    return [
        blocks.table(
            [_("Measure or goal"), _("Kind"), _("Latest value"), _("Period"), _("Status")],
            rows,
            caption=_("New values of goals and measures"),
            row_headers=True,
            key="progress-values",
        )
    ]


def _stalled(actions: list[StrategicAction], end: dt.date, include_reasons: bool) -> list[Block]:
    stalled = [a for a in actions if a.status in STATUSES_WITH_REASON]
    headers = [_("Strategic action"), _("Priority area"), _("Status"), _("Since")]
    if include_reasons:
        headers.append(_("Why"))
    rows = []
    for a in stalled:
        since = (
            date_words(timezone.localtime(a.status_changed_at).date())
            if a.status_changed_at
            else ""
        )
        row = [a.title, _area(a), ImplementationStatus(a.status).label, since]
        rows.append([*row, a.status_reason] if include_reasons else row)
    overdue = Milestone.objects.filter(
        action__in=[a.pk for a in actions], done_on__isnull=True, due_date__lte=end
    ).select_related("action")
    late = [[m.title, m.action.title, date_words(m.due_date)] for m in overdue]
    out = [
        blocks.table(
            headers,
            rows,
            caption=_("Stalled or dropped strategic actions"),
            row_headers=True,
            key="progress-stalled",
        ),
        blocks.table(
            [_("Milestone"), _("Strategic action"), _("Was due")],
            late,
            caption=_("Milestones past their date"),
            row_headers=True,
            key="progress-overdue",
        ),
    ]
    if not rows and not late:
        out.append(blocks.note(_("Nothing stalled and no milestone is late.")))
    return out


def _wins(coalition: Coalition, start: dt.date, end: dt.date) -> list[Block]:
    wins = (
        EarlyWin.objects.filter(coalition=coalition, date__gte=start, date__lte=end)
        .select_related("action")
        .order_by("date", "pk")
    )
    rows = [
        [date_words(w.date), w.description, w.action.title if w.action else "", w.evidence]
        for w in wins
    ]
    if not rows:
        return [blocks.note(_("No early win was logged for the period."))]
    return [
        blocks.table(
            [_("Date"), _("What happened"), _("Strategic action"), _("Measure or evidence")],
            rows,
            caption=_("Early wins logged in the period"),
            row_headers=True,
            key="progress-wins",
        )
    ]


def _next(coalition: Coalition, end: dt.date) -> list[Block]:
    upcoming = (
        Milestone.objects.filter(
            action__coalition=coalition, done_on__isnull=True, due_date__gt=end
        )
        .exclude(action__status__in=[ImplementationStatus.DONE, ImplementationStatus.DROPPED])
        .select_related("action")
        .order_by("due_date", "pk")[:NEXT_MILESTONES]
    )
    rows = [[m.title, m.action.title, date_words(m.due_date)] for m in upcoming]
    if not rows:
        return [blocks.note(_("No milestone is planned after the period."))]
    return [
        blocks.table(
            [_("Milestone"), _("Strategic action"), _("Due")],
            rows,
            caption=_("Open milestones due after the period"),
            row_headers=True,
            key="progress-next",
        )
    ]

"""Reads of the planning workspace, always for one coalition the caller already resolved."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Membership
from plans import definitions, theory_of_change
from plans.content import DONT_KNOW, Field, Step, Worksheet
from plans.display import Names, answer_fields, records, value_text
from plans.models import (
    Assignment,
    ChecklistTick,
    Comment,
    Notification,
    ResponseStatus,
    Revision,
    StepState,
    StepStatus,
    WorksheetResponse,
)

# --- responses ------------------------------------------------------------------------------


def shared_response(coalition: Coalition, worksheet_key: str) -> WorksheetResponse | None:
    return WorksheetResponse.objects.filter(
        coalition=coalition, worksheet_key=worksheet_key, owner__isnull=True
    ).first()


def own_response(
    coalition: Coalition, worksheet_key: str, membership: Membership
) -> WorksheetResponse | None:
    return WorksheetResponse.objects.filter(
        coalition=coalition, worksheet_key=worksheet_key, owner=membership
    ).first()


def response_for(
    coalition: Coalition, ws: Worksheet, membership: Membership
) -> WorksheetResponse | None:
    """The response a member works on: the shared one, or their own for individual worksheets."""
    if ws.filled_by.mode == "individual":
        return own_response(coalition, ws.key, membership)
    return shared_response(coalition, ws.key)


def responses_for_member(
    coalition: Coalition, membership: Membership
) -> dict[str, WorksheetResponse]:
    """``response_for`` for every worksheet in one query: the shared answer, or the member's own."""
    shared: dict[str, WorksheetResponse] = {}
    own: dict[str, WorksheetResponse] = {}
    for r in WorksheetResponse.objects.filter(
        Q(owner__isnull=True) | Q(owner=membership), coalition=coalition
    ):
        (own if r.owner_id else shared)[r.worksheet_key] = r
    found: dict[str, WorksheetResponse] = {}
    for ws in definitions.worksheets():
        answer = (own if ws.filled_by.mode == "individual" else shared).get(ws.key)
        if answer is not None:
            found[ws.key] = answer
    return found


def individual_responses(coalition: Coalition, worksheet_key: str) -> QuerySet[WorksheetResponse]:
    return (
        WorksheetResponse.objects.filter(
            coalition=coalition, worksheet_key=worksheet_key, owner__isnull=False, version__gt=0
        )
        .select_related("owner__user")
        .order_by("owner__joined_at", "pk")
    )


def member_names(coalition: Coalition) -> Names:
    return Names(
        members={m.pk: m.user.display_name for m in coalition.memberships.select_related("user")}
    )


def member_handle(membership: Membership) -> str:
    """What follows @ to mention someone: their name without spaces, else their email's name."""
    name = slugify(membership.user.name or "").replace("-", "")
    if name:
        return name
    return re.sub(r"[^\w.\-]", "", membership.user.email.split("@")[0])


def sharing_mode(coalition: Coalition, ws: Worksheet) -> str | None:
    """How the answers of an individual worksheet are shared, as the data lead set it."""
    setting = definitions.sharing_setting(ws)
    if setting is None:
        return None
    source, field_ = setting
    response = shared_response(coalition, source.key)
    return (response.data.get(field_.key) if response else None) or None


def sharing_order(ws: Worksheet) -> tuple[str, ...]:
    """The sharing setting's choices from most open to most private (the order of the YAML)."""
    setting = definitions.sharing_setting(ws)
    return tuple(o.key for o in setting[1].options) if setting else ()


def sharing_label(coalition: Coalition, ws: Worksheet, *, for_lead: bool = False) -> str:
    mode = sharing_mode(coalition, ws)
    setting = definitions.sharing_setting(ws)
    if mode is None or setting is None:
        return _("The data lead has not yet said how answers will be shared.")
    how = value_text(setting[1], mode).lower()
    if for_lead:
        return _("Members were told their answers are shared: %(how)s.") % {"how": how}
    return _("Your answers will be shared: %(how)s.") % {"how": how}


def record_names(coalition: Coalition, worksheet_key: str, prefer: str = "") -> list[str]:
    """What each record of a repeating worksheet is called: the answer named ``prefer`` if the
    worksheet has one (W7.4's strategic action), else its first short answer.

    Offered as suggestions where another worksheet's answer names one (``links_to``); the
    answer stays plain text, so renaming or deleting a record loses nothing.
    """
    ws = definitions.worksheet(worksheet_key)
    response = shared_response(coalition, worksheet_key)
    if response is None:
        return []
    fields = [f for f in answer_fields(ws) if f.key == prefer] or [
        f for f in answer_fields(ws) if f.type in ("short_text", "metric")
    ]
    names: list[str] = []
    for record in records(ws, response.data):
        text = next((t for f in fields if (t := value_text(f, record.get(f.key)))), "")
        text = " ".join(text.split())
        if text and text not in names:
            names.append(text)
    return names


def strategic_actions(coalition: Coalition) -> list[str]:
    """The strategic actions the measurement plan (W8.1) measures: the records of the worksheet
    its ``strategic_action`` answers link to (W7.4)."""
    plan = definitions.worksheet_by_role("measures")
    field_ = plan.field("strategic_action")
    return record_names(coalition, field_.links_to, prefer=field_.key)


# --- computed guidance ------------------------------------------------------------------------


def computed_text(coalition: Coalition, ws: Worksheet, f: Field) -> str:
    """The value of a read-only computed field (``COMPUTATIONS`` in plans/content.py)."""
    name = f.computed
    if name == "coalition_geography":
        return str(coalition.geography.full_name)
    if name == "sharing_mode_notice":
        return sharing_label(coalition, ws)
    if name == "responses_received":
        for other in definitions.worksheets():
            if other.filled_by.compiled_in == ws.key:
                got = individual_responses(coalition, other.key)
                done = got.filter(status=ResponseStatus.COMPLETE).count()
                return _("%(done)s marked complete, %(started)s started, of %(n)s members.") % {
                    "done": done,
                    "started": got.count(),
                    "n": coalition.memberships.count(),
                }
    if name == "vision_statement":
        vision = definitions.worksheet_by_role("vision")
        response = shared_response(coalition, vision.key)
        if response and response.data.get("final"):
            return str(response.data["final"])
        return _("Not written yet (Worksheet %(n)s).") % {"n": vision.number}
    if name == "descriptive_representation_ratio":
        response = shared_response(coalition, ws.key)
        return representation_ratio_text(ws, response.data if response else {})
    if name == "map_section_status":
        return map_section_status_text(coalition)
    return ""


def representation_ratio_text(ws: Worksheet, data: Mapping[str, Any]) -> str:
    """W2.4: each group's share of the officials divided by its share of the residents.

    Officials whose race or ethnicity is not known are left out of the officials' total, so
    the ratio is not pulled down by seats nobody could describe.
    """
    seats = [s for s in (data.get("seats") or []) if isinstance(s, Mapping)]
    known = [
        s.get("race_ethnicity") for s in seats if s.get("race_ethnicity") not in (None, "not_known")
    ]
    shares = data.get("pop_shares") or {}
    lines = []
    for row in ws.field("pop_shares").fixed_rows:
        residents = (shares.get(row.key) or {}).get("percent")
        if not known or not residents:
            continue
        officials = 100 * known.count(row.key) / len(known)
        lines.append(
            _("%(group)s: %(ratio)s (officials %(o)s%%, residents %(r)s%%)")
            % {
                "group": row.label,
                "ratio": f"{officials / residents:.2f}",
                "o": f"{officials:.0f}",
                "r": f"{residents:g}",
            }
        )
    if not lines:
        return _("Fill in the members of the body and the residents' shares to see the ratio.")
    return "\n".join(lines)


def map_section_status_text(coalition: Coalition) -> str:
    """For each section of the plan: how many of the worksheets feeding it are complete."""
    done = set(
        WorksheetResponse.objects.filter(
            coalition=coalition, owner__isnull=True, status=ResponseStatus.COMPLETE
        ).values_list("worksheet_key", flat=True)
    )
    lines = []
    for section in definitions.map_sections():
        feeding = [definitions.worksheet(k) for k in section.fed_by]
        if not feeding:
            continue
        missing = [w.number for w in feeding if w.key not in done]
        line = _("%(key)s %(title)s: %(done)s of %(n)s worksheets complete") % {
            "key": section.key,
            "title": section.title,
            "done": len(feeding) - len(missing),
            "n": len(feeding),
        }
        if missing:
            line += " " + _("(still open: %(list)s)") % {"list": ", ".join(missing)}
        lines.append(line)
    return "\n".join(lines)


def theory_of_change_text(record: Mapping[str, Any]) -> str:
    """W7.3's sentence joined from the parts above it, as a starting text to edit."""
    parts = {k: record.get(k) for k in theory_of_change.PARTS}
    if not all(isinstance(p, str) and p.strip() for p in parts.values()):
        return ""
    return theory_of_change.sentence(parts)  # type: ignore[arg-type]


# --- metric values: the seam to the metrics app ------------------------------------------------


@dataclass(frozen=True)
class MetricValue:
    value: Any
    quality: int | None
    year: int | None = None
    label: str = ""


def metric_value_for_coalition(coalition: Coalition, variable: str) -> MetricValue | None:
    """The latest value and quality flag of one Mobility Metric for the coalition's geography.

    The one place the workspace asks the metrics app for numbers: the active release, the
    whole population (subgroup "all"), the latest year with a value. None when there is none.
    Every value of the place is read once per request (``plans.map.metric_data.metric_book``),
    so a table of forty metrics costs what one does.
    """
    from metrics.charts.formatting import display_unit, format_parts, format_value
    from metrics.selectors import metrics_by_variable
    from plans.map.metric_data import metric_book

    metric = metrics_by_variable().get(variable)
    if metric is None:
        return None
    readings = metric_book(coalition).readings.get(metric.pk, [])
    row = next((r for r in reversed(readings) if r.value is not None), None)
    if row is None:
        return None
    parts = metric.unit == "text_ratio" and None not in (row.value_a, row.value_b)
    return MetricValue(
        value=(
            format_parts(row.value_a, row.value_b)
            if parts
            else format_value(row.value, display_unit(metric.unit))
        ),
        quality=row.quality,
        year=row.year,
        label=metric.label,
    )


def metric_catalog() -> dict[str, str]:
    """Variable name → label of every Mobility Metric, from the metrics app's catalog file, in
    the reader's language."""
    from metrics.catalog import catalog_local

    catalog = catalog_local()
    return {m.variable: m.label for m in catalog.metrics}


# --- steps and progress -----------------------------------------------------------------------


@dataclass
class WorksheetRow:
    worksheet: Worksheet
    status: str
    status_label: str
    response: WorksheetResponse | None
    assignments: list[Assignment]


@dataclass
class StepRow:
    step: Step
    status: str
    status_label: str
    worksheets: list[WorksheetRow]
    done: int
    total: int
    ticks: dict[str, ChecklistTick]
    state: StepState | None
    assignments: list[Assignment]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _worksheet_status(ws: Worksheet, response: WorksheetResponse | None) -> str:
    if response is None or response.version == 0:
        return ResponseStatus.NOT_STARTED
    return response.status


def steps_overview(coalition: Coalition, membership: Membership) -> list[StepRow]:
    states = {s.step: s for s in StepState.objects.filter(coalition=coalition)}
    # Progress needs each response's status, not its answers (which can be large).
    shared = {
        r.worksheet_key: r
        for r in WorksheetResponse.objects.filter(coalition=coalition, owner__isnull=True).defer(
            "data"
        )
    }
    own = {
        r.worksheet_key: r
        for r in WorksheetResponse.objects.filter(coalition=coalition, owner=membership).defer(
            "data"
        )
    }
    ticks: dict[int, dict[str, ChecklistTick]] = {}
    for t in ChecklistTick.objects.filter(coalition=coalition).select_related("ticked_by"):
        ticks.setdefault(t.step, {})[t.item_key] = t
    assignments: dict[tuple[int, str], list[Assignment]] = {}
    for a in Assignment.objects.filter(coalition=coalition).select_related(
        "owner__user", "working_group"
    ):
        assignments.setdefault((a.step, a.worksheet_key), []).append(a)
    rows = []
    for step in definitions.steps():
        ws_rows = []
        for ws in step.worksheets:
            response = (own if ws.filled_by.mode == "individual" else shared).get(ws.key)
            status = _worksheet_status(ws, response)
            ws_rows.append(
                WorksheetRow(
                    ws,
                    status,
                    str(ResponseStatus(status).label),
                    response,
                    assignments.get((step.number, ws.key), []),
                )
            )
        state = states.get(step.number)
        status = state.status if state else StepStatus.NOT_STARTED
        rows.append(
            StepRow(
                step=step,
                status=status,
                status_label=str(StepStatus(status).label),
                worksheets=ws_rows,
                done=sum(1 for w in ws_rows if w.status == ResponseStatus.COMPLETE),
                total=len(ws_rows),
                ticks=ticks.get(step.number, {}),
                state=state,
                assignments=assignments.get((step.number, ""), []),
            )
        )
    return rows


def overdue_assignments(coalition: Coalition, today: dt.date | None = None) -> list[Assignment]:
    today = today or timezone.localdate()
    shared_done = set(
        WorksheetResponse.objects.filter(
            coalition=coalition, owner__isnull=True, status=ResponseStatus.COMPLETE
        ).values_list("worksheet_key", flat=True)
    )
    steps_done = set(
        StepState.objects.filter(coalition=coalition, status=StepStatus.COMPLETE).values_list(
            "step", flat=True
        )
    )
    items = Assignment.objects.filter(coalition=coalition, due_date__lt=today).select_related(
        "owner__user", "working_group"
    )
    return [
        a
        for a in items
        if not (a.worksheet_key in shared_done or (not a.worksheet_key and a.step in steps_done))
    ]


def my_assignments(coalition: Coalition, membership: Membership) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(coalition=coalition)
        .filter(Q(owner=membership) | Q(working_group__members=membership))
        .select_related("owner__user", "working_group")
        .distinct()
        .order_by("due_date", "step")
    )


@dataclass
class Activity:
    """One line of recent activity: someone saved or commented on a worksheet, ``count`` times
    in a row."""

    at: dt.datetime
    who: Any  # the user, None for a former member
    kind: str  # "saved" or "commented"
    worksheet: Worksheet
    count: int


# Rows read per line shown: enough to group a person's repeated saves and still fill the list.
ACTIVITY_READ_FACTOR = 3


def recent_activity(coalition: Coalition, limit: int = 10) -> list[Activity]:
    """The latest saves and comments, newest first; one person's saves (or comments) of one
    worksheet in a row are one line with their count. Individual answers stay private.

    Reads at most ``limit * ACTIVITY_READ_FACTOR`` revisions and comments, newest first from
    the (coalition, created_at) indexes, and none of their answers or texts."""
    read = limit * ACTIVITY_READ_FACTOR
    author = ("author__id", "author__name", "author__email")
    revisions = (
        Revision.objects.filter(coalition=coalition, response__owner__isnull=True)
        .select_related("author", "response")
        .only("created_at", "saves", "response__worksheet_key", *author)
        .order_by("-created_at", "-pk")[:read]
    )
    comments = (
        Comment.objects.filter(coalition=coalition)
        .select_related("author")
        .only("created_at", "worksheet_key", *author)
        .order_by("-created_at", "-pk")[:read]
    )
    events = sorted(
        [("saved", r.created_at, r.author, r.response.worksheet_key, r.saves) for r in revisions]
        + [("commented", c.created_at, c.author, c.worksheet_key, 1) for c in comments],
        key=lambda e: e[1],
        reverse=True,
    )
    lines: list[Activity] = []
    for kind, at, who, key, count in events:
        last = lines[-1] if lines else None
        if (
            last
            and last.kind == kind
            and last.worksheet.key == key
            and getattr(last.who, "pk", None) == getattr(who, "pk", None)
        ):
            last.count += count
            continue
        if len(lines) == limit:
            break
        lines.append(Activity(at, who, kind, definitions.worksheet(key), count))
    return lines


def notifications_for(user: Any, coalition: Coalition) -> QuerySet[Notification]:
    """The person's notifications in one coalition, newest first."""
    return Notification.objects.filter(user=user, coalition=coalition)


def unread_notifications(user: Any, coalition: Coalition) -> QuerySet[Notification]:
    return notifications_for(user, coalition).filter(read_at=None)


def comments_for(coalition: Coalition, worksheet_key: str) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(coalition=coalition, worksheet_key=worksheet_key)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def comment_counts(coalition: Coalition, worksheet_key: str) -> dict[str, int]:
    """How many comments each question has ("" for the whole worksheet), in one query."""
    rows = (
        Comment.objects.filter(coalition=coalition, worksheet_key=worksheet_key)
        .values("field_key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["field_key"]: r["n"] for r in rows}


def latest_comments(
    coalition: Coalition, worksheet_key: str, *, limit: int | None
) -> list[Comment]:
    """The newest ``limit`` comments (all with None), oldest first as a thread reads."""
    found = comments_for(coalition, worksheet_key).order_by("-created_at", "-pk")
    return list(reversed(found if limit is None else found[:limit]))


# --- history ----------------------------------------------------------------------------------

HISTORY_PAGE_SIZE = 25
# A long text changed in one place shows that place with this much of its surroundings.
_CONTEXT = 80


@dataclass
class Change:
    """One changed answer: a question, or one row's cell of a table (labels, never keys)."""

    label: str
    before: str
    after: str
    question: str = ""
    row: str = ""
    column: str = ""


def _excerpt(before: str, after: str) -> tuple[str, str]:
    """Long texts that differ in one place: only that place, with some words around it."""
    if len(before) + len(after) <= 4 * _CONTEXT:
        return before, after
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    lo = max(0, start - _CONTEXT)

    def cut(text: str) -> str:
        hi = min(len(text), len(text) - end + _CONTEXT)
        return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")

    return cut(before), cut(after)


def _change(label: str, before: str, after: str, **where: str) -> Change:
    before, after = _excerpt(before, after)
    return Change(label, before, after, **where)


def _row_text(f: Field, cells: Any, names: Names | None) -> str:
    cells = cells if isinstance(cells, Mapping) else {}
    texts = [(c.label, value_text(c, cells.get(c.key), names, reader=True)) for c in f.columns]
    return "; ".join(f"{label}: {text}" for label, text in texts if text)


def _table_changes(f: Field, old: Any, new: Any, names: Names | None, prefix: str) -> list[Change]:
    """The cells that changed, each named by its row and column; a row added or removed
    as one line."""
    if f.fixed_rows:
        old, new = (v if isinstance(v, Mapping) else {} for v in (old, new))
        pairs = [(row.label, old.get(row.key), new.get(row.key)) for row in f.fixed_rows]
    else:
        old, new = (v if isinstance(v, list) else [] for v in (old, new))
        pairs = [
            (
                _("Row %(n)s") % {"n": i + 1},
                old[i] if i < len(old) else None,
                new[i] if i < len(new) else None,
            )
            for i in range(max(len(old), len(new)))
        ]
    changes = []
    for label, a, b in pairs:
        if a == b:
            continue
        where = f"{prefix}{f.label} › {label}"
        if not isinstance(a, Mapping) or not isinstance(b, Mapping) or not a or not b:
            before, after = _row_text(f, a, names), _row_text(f, b, names)
            if before != after:
                changes.append(_change(where, before, after, question=f.label, row=label))
            continue
        for c in f.columns:
            before = value_text(c, a.get(c.key), names, reader=True)
            after = value_text(c, b.get(c.key), names, reader=True)
            if before != after:
                changes.append(
                    _change(
                        f"{where} › {c.label}",
                        before,
                        after,
                        question=f.label,
                        row=label,
                        column=c.label,
                    )
                )
    return changes


def _checklist_changes(f: Field, old: Any, new: Any, prefix: str) -> list[Change]:
    old, new = (v if isinstance(v, Mapping) else {} for v in (old, new))
    changes = []
    for item in f.items:
        a, b = old.get(item.key) or {}, new.get(item.key) or {}
        if a == b:
            continue
        before, after = (
            ("☑" if e.get("checked") else "☐") + (f" ({e['note']})" if e.get("note") else "")
            for e in (a, b)
        )
        if before != after:
            changes.append(
                _change(
                    f"{prefix}{f.label} › {item.label}",
                    before,
                    after,
                    question=f.label,
                    row=item.label,
                )
            )
    return changes


def data_diff(
    ws: Worksheet, old: Mapping[str, Any], new: Mapping[str, Any], names: Names | None = None
) -> list[Change]:
    """The answers that differ between two versions, as text a person can read.

    Only the answers whose stored value changed are rendered; a table shows the cells that
    changed, a checklist the items, a long text the place where it changed."""
    changes: list[Change] = []
    old_records, new_records = records(ws, old), records(ws, new)
    for i in range(max(len(old_records), len(new_records))):
        a = old_records[i] if i < len(old_records) else {}
        b = new_records[i] if i < len(new_records) else {}
        if a == b:
            continue
        prefix = f"{ws.repeats} {i + 1} › " if ws.repeats else ""
        for f in answer_fields(ws):
            va, vb = a.get(f.key), b.get(f.key)
            if va == vb:
                continue
            if f.type == "table":
                changes += _table_changes(f, va, vb, names, prefix)
            elif f.type == "checklist":
                changes += _checklist_changes(f, va, vb, prefix)
            else:
                before = value_text(f, va, names, reader=True)
                after = value_text(f, vb, names, reader=True)
                if before != after:
                    changes.append(_change(prefix + f.label, before, after, question=f.label))
    return changes


@dataclass
class HistoryItem:
    revision: Revision
    changes: list[Change]
    current: bool


@dataclass
class HistoryPage:
    items: list[HistoryItem]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _page_number(value: Any, num_pages: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def revision_diffs(
    ws: Worksheet, revisions: list[Revision], older: Revision | None, names: Names | None
) -> list[list[Change]]:
    """What each revision (newest first) changed from the one before it (``older`` for the
    last)."""
    out = []
    for i, rev in enumerate(revisions):
        before = revisions[i + 1] if i + 1 < len(revisions) else older
        out.append(data_diff(ws, before.data if before else {}, rev.data, names))
    return out


def revision_history(
    response: WorksheetResponse, names: Names | None = None, page: Any = 1
) -> HistoryPage:
    """One page of a response's revisions, newest first, each with what it changed.

    Reads the page's revisions and the one before the page's oldest: two queries (and a
    count) however long the history."""
    ws = definitions.worksheet(response.worksheet_key)
    count = response.revisions.count()
    num_pages = max(1, -(-count // HISTORY_PAGE_SIZE))
    number = _page_number(page, num_pages)
    start = (number - 1) * HISTORY_PAGE_SIZE
    rows = list(
        response.revisions.select_related("author").order_by("-version")[
            start : start + HISTORY_PAGE_SIZE + 1
        ]
    )
    shown, older = rows[:HISTORY_PAGE_SIZE], rows[HISTORY_PAGE_SIZE:]
    diffs = revision_diffs(ws, shown, older[0] if older else None, names)
    items = [
        HistoryItem(rev, changes, current=rev.version == response.version)
        for rev, changes in zip(shown, diffs, strict=True)
    ]
    return HistoryPage(items, number, num_pages, count)


def revision_with_previous(
    response: WorksheetResponse, version: int
) -> tuple[Revision, Revision | None] | None:
    """The revision at ``version`` and the one before it (None if there is no such version)."""
    rows = list(
        response.revisions.select_related("author")
        .filter(version__lte=version)
        .order_by("-version")[:2]
    )
    if not rows or rows[0].version != version:
        return None
    return rows[0], (rows[1] if len(rows) > 1 else None)


# --- readiness (W3.1) and compilation -----------------------------------------------------------


def readiness_summary(coalition: Coalition) -> dict[str, Any] | None:
    """The readiness conditions (W3.1's nine), the ones that need work first at the top.

    "Don't know" counts as needing work: not knowing is itself a gap to close.
    """
    ws = definitions.worksheet_by_role("readiness")
    f = ws.field("conditions")
    response = shared_response(coalition, ws.key)
    rating_col = f.column("rating")
    if rating_col is None:  # pragma: no cover - guarded by the definitions test
        return None
    values = (response.data.get(f.key) if response else None) or {}
    top = max(p.value for p in rating_col.scale)
    rows: list[dict[str, Any]] = []
    for row in f.fixed_rows:
        cells = values.get(row.key) or {}
        rating = cells.get("rating")
        if rating is None:
            rank, label = (2, _("Not rated yet"))
        elif rating == DONT_KNOW:
            rank, label = (0, _("Don't know"))
        else:
            rank, label = (1 if rating <= top // 2 else 3, value_text(rating_col, rating))
        rows.append(
            {
                "key": row.key,
                "condition": row.label,
                "rating": rating,
                "label": label,
                "rank": (rank, rating if isinstance(rating, int) else 0),
                "needs_work": rank <= 1,
                "actions": cells.get("actions") or "",
            }
        )
    rows.sort(key=lambda r: r["rank"])
    rated = [r["rating"] for r in rows if isinstance(r["rating"], int)]
    return {
        "worksheet": ws,
        "rows": rows,
        "needs_work": [r for r in rows if r["needs_work"]],
        "rated": len(rated),
        "average": round(sum(rated) / len(rated), 1) if rated else None,
        "scale_top": top,
        "overall": value_text(ws.field("overall"), response.data.get("overall"))
        if response
        else "",
    }


def anonymous_label(response: WorksheetResponse) -> str:
    # A stable label that does not follow the order in which people joined.
    digest = hashlib.sha256(f"{response.pk}-{response.coalition_id}".encode()).hexdigest()
    return digest[:4].upper()


def compilation(coalition: Coalition, ws: Worksheet) -> dict[str, Any]:
    """Every member's answers side by side, named only when the sharing setting says so."""
    mode = sharing_mode(coalition, ws)
    named = mode == definitions.SHARED_WITH_NAMES
    responses = list(individual_responses(coalition, ws.key))
    if not named:
        responses.sort(key=anonymous_label)
    names = member_names(coalition)
    columns = [
        {
            "response": r,
            "who": (
                r.owner.user.display_name  # type: ignore[union-attr]
                if named
                else _("Member %(code)s") % {"code": anonymous_label(r)}
            ),
            "complete": r.status == ResponseStatus.COMPLETE,
        }
        for r in responses
    ]
    rows = []
    for f in answer_fields(ws):
        cells = [
            {
                "response": r,
                "who": c["who"],  # beside the answer when a phone stacks the table
                "text": value_text(f, r.data.get(f.key), names, reader=True),
            }
            for r, c in zip(responses, columns, strict=True)
        ]
        rows.append({"field": f, "cells": cells})
    return {"mode": mode, "named": named, "columns": columns, "rows": rows}

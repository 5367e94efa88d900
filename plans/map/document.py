"""The MAP as one plain, JSON-serialisable document made of blocks.

``build_document`` gathers each section's content as a list of blocks (``plans.map.blocks``):
the coalition's narrative, then the records the section shows (``shows:`` in
``plans/data/map_sections.yaml``, each drawn by one function of ``PROVIDERS``), then what its
feeding worksheets say. A frozen version stores this dict; the draft page, the public page, the
PDF and the Word file all render it block by block, so what was frozen is exactly what is shown
and no template picks content by section key.

``audience="public"`` is the document as published (frozen versions, the public page, their
exports, "preview as the public"): empty sections are left out and internal working material
never enters. ``"internal"`` is the coalition's working view of its draft.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from core.request_cache import request_cache_scope
from plans import definitions
from plans.map import blocks, goal_blocks, metric_data, options, presentation, selectors
from plans.map.appendix import appendix_blocks
from plans.map.blocks import Block
from plans.map.front import front_blocks, front_matter, plan_languages
from plans.map.models import (
    ElementKind,
    PriorityArea,
    StrategicAction,
)
from plans.map.summary import summary_blocks

PUBLIC = "public"
INTERNAL = "internal"
AUDIENCES = (PUBLIC, INTERNAL)


# The logic model reads from what goes in to what changes in the long run.
KIND_ORDER = {kind: i for i, kind in enumerate(ElementKind.values)}


@dataclass
class DocContext:
    """What the providers of one document share while it is built."""

    coalition: Coalition
    audience: str = INTERNAL
    version: int | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    _note_numbers: dict[str, int] = field(default_factory=dict)
    _charts: int = 0
    section_notes: set[int] = field(default_factory=set)
    # The project manager's visibility overrides and row choices (plans.map.presentation).
    publication: presentation.Publication = field(default_factory=presentation.Publication)

    @property
    def public(self) -> bool:
        return self.audience == PUBLIC

    def footnote(self, key: str, text: str) -> int:
        """The number of the note on the numbers with this key, added on first use; the
        section being built prints it."""
        if key not in self._note_numbers:
            self.notes.append({"n": len(self.notes) + 1, "text": text})
            self._note_numbers[key] = len(self.notes)
        n = self._note_numbers[key]
        self.section_notes.add(n)
        return n

    def chart_id(self) -> str:
        self._charts += 1
        return f"chart-{self._charts}"

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


# --- records: what the coalition decided, as plain dicts (also kept in the document) ---------


def worksheet_blocks(
    ctx: DocContext, worksheet_keys: tuple[str, ...], section_key: str, drawn: tuple[str, ...] = ()
) -> list[Block]:
    """What the feeding worksheets say, as their presentation (``plans.map.presentation``)
    prints them for the document's audience: the coalition's shared answers, never members'
    own; for the public only public fields and the rows the project manager chose."""
    from plans.selectors import member_names, metric_catalog

    lookups = ctx.once(
        "lookups", lambda: presentation.Lookups(member_names(ctx.coalition), metric_catalog())
    )
    return presentation.section_blocks(
        ctx.coalition,
        worksheet_keys,
        section_key=section_key,
        audience=ctx.audience,
        publication=ctx.publication,
        lookups=lookups,
        drawn=drawn,
    )


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
    return metric_data.source_note(baseline)


def _measures(coalition: Coalition) -> list[dict[str, Any]]:
    rows = []
    kinds = dict(ElementKind.choices)
    found = sorted(
        selectors.measures(coalition),
        key=lambda m: (
            m.element is None,
            m.element.action.position if m.element else 0,
            m.element.action_id if m.element else 0,
            KIND_ORDER.get(m.element_kind, 99),
            m.pk,
        ),
    )
    metric_data.breakdowns_prefetch(
        coalition, [m.metric_variable for m in found if m.metric_variable and m.gap_subgroup]
    )
    for m in found:
        baseline = (
            metric_data.baseline_for(coalition, m.metric_variable) if m.metric_variable else None
        )
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
                    baseline.value_text
                    if baseline and baseline.value is not None
                    else metric_data.measure_value_text(m.baseline, m.metric_variable)
                ),
                "baseline_year": baseline.year if baseline else "",
                "baseline_quality": baseline.quality_label if baseline else "",
                "baseline_weak": bool(baseline and baseline.is_weak),
                "baseline_note": _footnote_text(baseline) if baseline else "",
                "target": metric_data.measure_value_text(m.target, m.metric_variable),
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


def _chart_specs(coalition: Coalition, measures: list[dict]) -> list[dict[str, Any]]:
    """One trend chart per linked metric with data (and one gap chart per measure's gap
    target), in the order the measures name them."""
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
                    "note_text": row["baseline_note"],
                }
            )
        if not variable or variable in seen:
            continue
        seen.add(variable)
        points = metric_data.series_for(coalition, variable)
        if points:
            info = metric_data.metric_info(variable)
            charts.append(
                {
                    "variable": variable,
                    "kind": "trend",
                    "points": points,
                    **info,
                    "note_text": row["baseline_note"],
                }
            )
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


# --- providers: the blocks of what a section shows (``shows:`` in map_sections.yaml) --------


def _note_ref(ctx: DocContext, key: str, text: str) -> str:
    return f" [{ctx.footnote(key, text)}]" if text else ""


def charts_blocks(ctx: DocContext) -> list[Block]:
    """What the Mobility Metrics show: the trends of linked metrics and the gaps pinned."""
    out: list[Block] = []
    specs = ctx.cache["records"]["charts"]
    if specs:
        out.append(blocks.heading(_("What the Mobility Metrics show"), 2))
    for spec in specs:
        note = ctx.footnote(spec["variable"], spec["note_text"]) if spec.get("note_text") else None
        out.append(blocks.chart({**spec, "id": ctx.chart_id()}, note=note))
    gaps = ctx.cache["records"]["gaps"]
    if gaps:
        out.append(blocks.heading(_("Gaps the coalition pinned"), 2))
        out.append(
            blocks.table(
                [_("Measure"), _("Group"), _("What the data show"), _("What we noted")],
                [
                    [
                        g["metric"],
                        _("%(group)s (%(breakdown)s)")
                        % {"group": g["group"], "breakdown": g["breakdown"]},
                        g["finding"],
                        g["note"],
                    ]
                    for g in gaps
                ],
                caption=_("Gaps between groups that the coalition chose to act on"),
                row_headers=True,
                key="pinned_gaps",
            )
        )
    return out


def vision_blocks(ctx: DocContext) -> list[Block]:
    vision = ctx.cache["records"]["vision"]
    if not vision["statement"]:
        return []
    adopted = ""
    if vision["adopted_on"]:
        adopted = _("Adopted %(date)s.") % {"date": blocks.date_words(vision["adopted_on"])}
    attribution = " ".join(p for p in (adopted, vision["adopted_how"]) if p)
    return [blocks.quote(vision["statement"], attribution)]


def theories_blocks(ctx: DocContext) -> list[Block]:
    out: list[Block] = []
    theories = ctx.cache["records"]["theories"]
    for t in theories:
        if len(theories) > 1 or t["priority_area"]:
            out.append(blocks.heading(t["priority_area"] or _("The whole plan"), 3))
        out.append(blocks.text(t["statement"]))
        if t.get("rephrase"):
            out.append(
                blocks.note(
                    _(
                        "Only the coalition sees this: some parts of this theory of change "
                        "read as whole sentences. Rephrase them on the theory of change page."
                    ),
                    tone="warning",
                )
            )
    return out


def priorities_blocks(ctx: DocContext) -> list[Block]:
    areas = ctx.cache["records"]["priorities"]
    if not areas:
        return []
    return [
        blocks.heading(_("Priority areas"), 2),
        blocks.table(
            [_("Priority area"), _("Pillar"), _("Predictors"), _("Why it matters here")],
            [[a["name"], a["pillar"], ", ".join(a["predictors"]), a["rationale"]] for a in areas],
            caption=_("The priority areas of this plan"),
            row_headers=True,
            key="priorities",
        ),
    ]


def _by_area(ctx: DocContext) -> list[tuple[str, list[dict[str, Any]]]]:
    """Strategic actions grouped by priority area, in the areas' order; actions tied to no
    area last."""
    actions = ctx.cache["records"]["actions"]
    names = [a["name"] for a in ctx.cache["records"]["priorities"]]
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    loose: list[dict[str, Any]] = []
    for action in actions:
        groups.get(action["priority_area"], loose).append(action)
    out = [(name, rows) for name, rows in groups.items() if rows]
    if loose:
        out.append(("" if not out else str(_("Other strategic actions")), loose))
    return out


def actions_blocks(ctx: DocContext) -> list[Block]:
    """The systems change logic model: one table per priority area, each row a strategic
    action read from what goes in to the long-term change."""
    out: list[Block] = []
    groups = _by_area(ctx)
    if not groups:
        return out
    out.append(blocks.heading(_("Systems change logic model"), 2))
    kinds = [
        (ElementKind.INPUT, _("Inputs")),
        (ElementKind.OUTPUT, _("Outputs")),
        (ElementKind.OUTCOME_SHORT, _("Short-term outcomes")),
        (ElementKind.OUTCOME_MEDIUM, _("Medium-term outcomes")),
        (ElementKind.OUTCOME_LONG, _("Long-term outcomes")),
    ]
    for area, actions in groups:
        if area:
            out.append(blocks.heading(area, 3))
        out.append(
            blocks.table(
                [_("Strategic action"), *[label for _kind, label in kinds]],
                [
                    [a["title"], *["\n".join(a["elements"].get(k, [])) for k, _label in kinds]]
                    for a in actions
                ],
                caption=_("Strategic actions with their inputs, outputs and outcomes"),
                row_headers=True,
                key="logic_model",
            )
        )
        about = [
            [
                a["title"],
                a["description"],
                ", ".join(a["action_types"]),
                ", ".join(a["systems_conditions"]),
                a["target_population"],
                a["working_group"],
            ]
            for a in actions
        ]
        if not any(any(row[1:]) for row in about):
            continue  # the logic model already names them; nothing more to tell
        out.append(
            blocks.table(
                [
                    _("Strategic action"),
                    _("What it is"),
                    _("Type of action"),
                    _("Systems conditions it shifts"),
                    _("Who benefits"),
                    _("Working group"),
                ],
                about,
                caption=_("What each strategic action is and whom it serves"),
                row_headers=True,
                key="actions_about",
            )
        )
    return out


def measures_blocks(ctx: DocContext) -> list[Block]:
    rows = [m for m in ctx.cache["records"]["measures"] if not m["orphaned"]]
    if ctx.public:
        # An element nobody has chosen a measure for yet is a gap the check before freezing
        # lists, not a row of the published plan.
        rows = [m for m in rows if m["measure"] or m["metric"] or m["target"]]
    if not rows:
        return []
    body = []
    for m in rows:
        baseline = m["baseline"]
        if baseline and m["baseline_year"]:
            baseline = _("%(value)s (%(year)s)") % {"value": baseline, "year": m["baseline_year"]}
        if baseline and m["metric_variable"]:
            baseline += _note_ref(ctx, m["metric_variable"], m["baseline_note"])
        if m["baseline_weak"]:
            baseline += "\n" + _("Weak data quality: do not act on this number alone.")
        target = m["target"]
        if target and m["target_date"]:
            target = _("%(target)s by %(date)s") % {
                "target": target,
                "date": blocks.date_words(m["target_date"]),
            }
        if m["gap_target"]:
            target = "\n".join(p for p in (target, m["gap_target"]) if p)
        gap = m.get("gap_baseline")
        if gap:
            target += "\n" + _("Baseline %(year)s: %(group)s %(value)s, everyone %(whole)s") % {
                "year": gap["year"],
                "group": gap["group"],
                "value": gap["value"],
                "whole": gap["whole"],
            }
        what = m["measure"]
        if m["metric"]:
            metric = _("Mobility Metric: %(m)s") % {"m": m["metric"]}
            what = "\n".join(p for p in (what, metric) if p)
        body.append(
            [
                _("%(action)s\n%(kind)s: %(element)s")
                % {"action": m["action"], "kind": m["element_kind"], "element": m["element_text"]},
                what,
                baseline,
                target,
                ", ".join(m["disaggregation"]),
                "\n".join(p for p in (m["data_source"], m["frequency"]) if p),
                "\n".join(p for p in (m["responsible"], ", ".join(m["audience"])) if p),
            ]
        )
    return [
        blocks.table(
            [
                _("Strategic action and element"),
                _("Measure"),
                _("Baseline"),
                _("Target"),
                _("Broken down by"),
                _("Source and frequency"),
                _("Who reports, to whom"),
            ],
            body,
            caption=_("A measure for each input, output and outcome"),
            row_headers=True,
            key="measures",
        )
    ]


def approvals_blocks(ctx: DocContext) -> list[Block]:
    rows = ctx.cache["records"]["approvals"]
    if not rows:
        return []
    headers = [_("Reviewer"), _("Type"), _("Decision"), _("Date")]
    if not ctx.public:
        headers.append(_("Comment (internal)"))
    body = []
    for r in rows:
        row = [r["reviewer"], r["reviewer_type"], r["decision"], blocks.date_words(r["date"])]
        if not ctx.public:
            row.append(r["comment"])
        body.append(row)
    return [
        blocks.heading(_("Review and approval"), 2),
        blocks.table(headers, body, caption=_("Decisions of the reviewers"), key="approvals"),
    ]


# A part of the plan a section can show (``shows:``): name -> the blocks it draws.
PROVIDERS: dict[str, Callable[[DocContext], list[Block]]] = {
    "charts": charts_blocks,
    "vision": vision_blocks,
    "theories": theories_blocks,
    "priorities": priorities_blocks,
    "actions": actions_blocks,
    "goals": goal_blocks.goals_blocks,
    "implementation": goal_blocks.implementation_blocks,
    "measures": measures_blocks,
    "approvals": approvals_blocks,
    "front": front_blocks,
    "summary": summary_blocks,
    "appendix": appendix_blocks,
}


def _records(ctx: DocContext) -> dict[str, Any]:
    coalition = ctx.coalition
    measures = _measures(coalition)
    return {
        "vision": _vision(coalition),
        "priorities": [_area_dict(a) for a in coalition.priority_areas.all()],
        "theories": [
            {
                "priority_area": t.priority_area.name if t.priority_area else "",
                # The sentence joined from the parts (plans.theory_of_change), or own words.
                "statement": t.final_statement,
                # Internal only: parts to rephrase, which the working draft points out.
                **({} if ctx.public else {"rephrase": list(t.part_problems.values())}),
            }
            for t in selectors.theories(coalition)
        ],
        "actions": [_action_dict(a) for a in selectors.strategic_actions(coalition)],
        "measures": measures,
        "charts": _chart_specs(coalition, measures),
        "gaps": metric_data.pinned_gaps(coalition),
        "approvals": _approval_record(coalition),
    }


def _wide(content: list[Block]) -> bool:
    """Whether a section needs a landscape page in print: a table of six columns or more."""
    return any(b["type"] == "table" and len(b["headers"]) >= 6 for b in content)


def build_document(
    coalition: Coalition,
    *,
    audience: str = INTERNAL,
    version: int | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The plan in ``language``: one of the plan's languages (``PlanSettings``), by default
    its own (the site's default when it has none chosen). Headings, labels, numbers and dates
    are in that language and so is the narrative (empty where none was written in it).

    Built in one cache scope: the metric catalog and the place's values are read once for
    every section, also in a task or a service (outside a request)."""
    languages = plan_languages(coalition)
    language = language or languages[0]
    if language not in languages:
        raise ValueError(f"the plan is written in {languages}, not {language!r}")
    with request_cache_scope(), translation.override(language):
        return _build_document(coalition, audience=audience, version=version, languages=languages)


def _build_document(
    coalition: Coalition,
    *,
    audience: str = INTERNAL,
    version: int | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    language = get_language() or "en"
    languages = languages or [language]
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    ctx = DocContext(
        coalition=coalition,
        audience=audience,
        version=version,
        publication=selectors.publication_for(coalition),
    )
    ctx.cache["records"] = _records(ctx)
    drafts = selectors.section_drafts(coalition)
    sections = []
    for spec in definitions.map_sections():
        draft = drafts.get(spec.key)
        narrative = draft.narrative_in(language, languages[0]) if draft else ""
        owner = draft.owner if draft else None
        ctx.section_notes = set()
        content: list[Block] = [blocks.text(narrative)] if narrative.strip() else []
        shown = []
        for name in spec.shows:
            drawn = blocks.clean(PROVIDERS[name](ctx))
            if drawn:
                shown.append(name)
            content += drawn
        content += worksheet_blocks(ctx, spec.fed_by, spec.key, tuple(shown))
        if ctx.section_notes:
            content.append(blocks.footnotes(n for n in ctx.notes if n["n"] in ctx.section_notes))
        content = blocks.clean(content)
        if ctx.public and all(b["type"] == "note" for b in content):
            continue  # nothing but remarks on what is missing: the public plan leaves it out
        sections.append(
            {
                "key": spec.key,
                "number": spec.number,
                "title": spec.title,
                "contains": spec.contains,
                # How the coalition works on a section (its status, who owns it) is internal:
                # a published or frozen plan never says "draft".
                **(
                    {}
                    if ctx.public
                    else {
                        "status": draft.status if draft else "draft",
                        "owner": str(owner.user.name or owner.user.email) if owner else "",
                    }
                ),
                "narrative": narrative,
                "blocks": content,
                "fed_by": list(spec.fed_by),
                "shows": list(spec.shows),
                # Nothing written, fed or recorded yet: the draft page says so.
                "empty": not content,
                "wide": _wide(content),
            }
        )
    records_ = ctx.cache["records"]
    if ctx.public:
        for row in records_["approvals"]:
            row["comment"] = ""
    return {
        "title": _("%(place)s Mobility Action Plan") % {"place": coalition.geography.name},
        "coalition": coalition.name,
        "jurisdiction": str(coalition.geography.full_name),
        "language": language,
        "languages": languages,
        "audience": audience,
        "generated_at": timezone.now().isoformat(),
        "version": version,
        "release_name": metric_data.active_release_name(),
        "sections": sections,
        "footnotes": ctx.notes,
        "front": front_matter(coalition),
        # What the project manager chose to publish when the document was built: a frozen
        # version keeps it, so later choices never change what was published.
        "publication": ctx.publication.as_dict(),
        **records_,
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


# --- documents frozen before the plan was made of blocks --------------------------------------


def _legacy_chart(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {**spec, "kind": spec.get("kind") or "trend"}


def upgrade_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A document frozen by an earlier release (sections without blocks), in today's shape:
    the same narrative, records and worksheet answers it froze, as blocks."""
    sections = document.get("sections", [])
    if all(
        isinstance(b, Mapping) and "type" in b for s in sections for b in s.get("blocks", [])
    ) and all("wide" in s for s in sections):
        return dict(document)
    ctx = DocContext(coalition=None, audience=document.get("audience") or PUBLIC)  # type: ignore[arg-type]
    old_notes = {n["n"]: n["text"] for n in document.get("footnotes", [])}
    measures = [
        {**m, "baseline_note": old_notes.get(m.get("footnote"), "")}
        for m in document.get("measures", [])
    ]
    ctx.cache["records"] = {
        "vision": document.get("vision") or {"statement": "", "adopted_on": "", "adopted_how": ""},
        "priorities": document.get("priorities", []),
        "theories": document.get("theories", []),
        "actions": document.get("actions", []),
        "measures": measures,
        "charts": [
            {**_legacy_chart(c), "note_text": old_notes.get(c.get("note"), "")}
            for c in document.get("charts", [])
        ],
        "gaps": document.get("gaps", []),
        "approvals": [],
    }
    upgraded = []
    for section in sections:
        ctx.section_notes = set()
        narrative = section.get("narrative", "")
        content: list[Block] = [blocks.text(narrative)] if narrative.strip() else []
        for name in section.get("shows", []):
            if name in PROVIDERS:
                content += PROVIDERS[name](ctx)
        for old in section.get("blocks", []):
            if "type" in old:
                content.append(dict(old))
                continue
            content += [
                blocks.heading(old.get("title", ""), 3),
                blocks.facts((i["label"], i["text"]) for i in old.get("items", [])),
            ]
        if ctx.section_notes:
            content.append(blocks.footnotes(n for n in ctx.notes if n["n"] in ctx.section_notes))
        content = blocks.clean(content)
        upgraded.append(
            {**section, "blocks": content, "empty": not content, "wide": _wide(content)}
        )
    return {**document, "sections": upgraded, "footnotes": ctx.notes}

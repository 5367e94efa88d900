"""The check before freezing: what a council would notice is missing or unfinished in the plan.

``freeze_check(coalition)`` lists findings, each a plain dict (``kind``, ``text``, ``link``)
so that a frozen version can keep them (``MapVersion.check_findings``) as they stood. The
project manager sees them on the "Check before freezing" page (and ``GET …/map-check/``) and
can freeze anyway with a reason; ``services.map_version_freeze`` refuses to freeze with
findings and no reason. The findings are internal: they never reach the document, the public
page or the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Coalition
from plans import definitions, theory_of_change
from plans.map import metric_data, options, selectors
from plans.map.models import ElementKind, SectionStatus

Finding = dict[str, str]

# The kinds of finding, in the order the page lists them, with their headings.
KINDS = {
    "empty_section": gettext_lazy("Empty sections"),
    "section_not_approved": gettext_lazy("Sections not approved yet"),
    "translation_missing": gettext_lazy("Narratives missing in the plan's second language"),
    "action_draft": gettext_lazy("Strategic actions still in draft"),
    "measure_incomplete": gettext_lazy("Measures without a baseline, a target or an owner"),
    "weak_baseline": gettext_lazy("Weak baselines"),
    "theory": gettext_lazy("Theory of change"),
    "goals_missing": gettext_lazy("Headline goals missing"),
}
# The kinds as the API schema names them (ENUM_NAME_OVERRIDES).
KIND_KEYS = list(KINDS)


def _and(items: list[str]) -> str:
    """ "a, b and c" in the active language."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _finding(kind: str, text: str, link: str) -> Finding:
    return {"kind": kind, "text": str(text), "link": link}


def freeze_check(
    coalition: Coalition, *, document: Mapping[str, Any] | None = None
) -> list[Finding]:
    """Every finding of the check, grouped by kind in ``KINDS`` order, on the plan as it
    would be frozen: the public document (``document``, when the caller has built it)."""
    if document is None:
        from plans.map.document import PUBLIC, build_document

        document = build_document(coalition, audience=PUBLIC)
    found = [
        *_empty_sections(coalition, document),
        *_sections_not_approved(coalition),
        *_translations_missing(coalition, document),
        *_actions_in_draft(coalition),
        *_measures(coalition),
        *_theories(coalition),
        *_goals(coalition, document),
    ]
    order = list(KINDS)
    return sorted(found, key=lambda f: order.index(f["kind"]))


def grouped(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings under their headings, for a page: ``[{"kind", "label", "items"}]``."""
    out = []
    for kind, label in KINDS.items():
        items = [f for f in findings if f.get("kind") == kind]
        if items:
            out.append({"kind": kind, "label": str(label), "items": items})
    # A stored finding of a kind this code no longer knows is still shown.
    rest = [f for f in findings if f.get("kind") not in KINDS]
    if rest:
        out.append({"kind": "other", "label": _("Other findings"), "items": rest})
    return out


def _empty_sections(coalition: Coalition, document: Mapping[str, Any]) -> list[Finding]:
    """Sections with nothing to print: the public document leaves them out, the internal one
    marks them ``empty``."""
    present = {s["key"]: s for s in document.get("sections", [])}
    return [
        _finding(
            "empty_section",
            _("“%(section)s” has nothing in it yet, so the plan leaves it out.")
            % {"section": spec.title},
            reverse("map:section", args=[coalition.pk, spec.key]),
        )
        for spec in definitions.map_sections()
        if spec.key not in present or present[spec.key].get("empty")
    ]


def _translations_missing(coalition: Coalition, document: Mapping[str, Any]) -> list[Finding]:
    """A bilingual plan's sections written in its own language but not in its second: that
    language's version would print them without their narrative."""
    from django.conf import settings

    languages = list(document.get("languages") or [])[:2]
    if len(languages) < 2:
        return []
    first, second = languages
    names = dict(settings.LANGUAGES)
    drafts = selectors.section_drafts(coalition)
    missing = []
    for spec in definitions.map_sections():
        draft = drafts.get(spec.key)
        if draft and draft.narrative.strip() and not draft.narrative_in(second, first).strip():
            missing.append(
                _finding(
                    "translation_missing",
                    _("“%(section)s” has a narrative in %(first)s but none in %(second)s.")
                    % {
                        "section": spec.title,
                        "first": names.get(first, first),
                        "second": names.get(second, second),
                    },
                    reverse("map:section", args=[coalition.pk, spec.key]),
                )
            )
    return missing


def _sections_not_approved(coalition: Coalition) -> list[Finding]:
    drafts = selectors.section_drafts(coalition)
    by_status: dict[str, list[str]] = {}
    for spec in definitions.map_sections():
        draft = drafts.get(spec.key)
        status = draft.status if draft else SectionStatus.DRAFT
        if status != SectionStatus.APPROVED:
            by_status.setdefault(status, []).append(spec.title)
    link = reverse("map:plan", args=[coalition.pk])
    return [
        _finding(
            "section_not_approved",
            _("%(status)s: %(sections)s.")
            % {"status": SectionStatus(status).label, "sections": "; ".join(titles)},
            link,
        )
        for status, titles in by_status.items()
    ]


def _actions_in_draft(coalition: Coalition) -> list[Finding]:
    """The logic model worksheet's actions whose own status is not yet approved.

    Strategic action records have no status of their own; the logic model worksheet gives
    each action one (draft, ready for review, approved): its last option means approved.
    """
    from plans.selectors import shared_response

    ws = options.record_worksheet("actions")
    try:
        field = ws.field("status")
    except KeyError:
        return []
    response = shared_response(coalition, ws.key)
    records = (response.data or {}).get("records") or [] if response else []
    done = field.options[-1].key if field.options else ""
    labels = {o.key: o.label for o in field.options}
    link = reverse("plans:worksheet", args=[coalition.pk, ws.key])
    out = []
    for record in records:
        status = record.get("status") or ""
        title = str(record.get("strategic_action") or "").strip()
        if status and status != done and title:
            out.append(
                _finding(
                    "action_draft",
                    _("“%(action)s” is marked “%(status)s” in Worksheet %(ws)s.")
                    % {"action": title, "status": labels.get(status, status), "ws": ws.number},
                    link,
                )
            )
    return out


def _measures(coalition: Coalition) -> list[Finding]:
    """Measures missing a baseline, a target or an owner, and baselines whose data are Weak."""
    kinds = dict(ElementKind.choices)
    baselines: dict[str, metric_data.Baseline | None] = {}
    incomplete, weak = [], []
    for m in selectors.measures(coalition):
        if m.is_orphaned:
            continue
        variable = m.metric_variable
        if variable and variable not in baselines:
            baselines[variable] = metric_data.baseline_for(coalition, variable)
        data = baselines.get(variable) if variable else None
        has_data = data is not None and data.value is not None
        link = reverse("map:measure_edit", args=[coalition.pk, m.pk])
        what = {
            "element": m.element.text if m.element else m.element_text,
            "kind": kinds.get(m.element_kind, m.element_kind),
            "action": m.element.action.title if m.element else m.action_title,
        }
        missing = [
            label
            for label, present in (
                (_("a measure"), m.measure),
                (_("a baseline"), m.baseline or has_data),
                (_("a target"), m.target),
                (_("an owner"), m.responsible),
            )
            if not present
        ]
        if missing:
            incomplete.append(
                _finding(
                    "measure_incomplete",
                    _("“%(element)s” (%(kind)s of “%(action)s”) is missing %(missing)s.")
                    % {**what, "missing": _and([str(x) for x in missing])},
                    link,
                )
            )
        if has_data and data is not None and data.is_weak:
            weak.append(
                _finding(
                    "weak_baseline",
                    _("The baseline of “%(element)s” (%(metric)s, %(year)s) has Weak data quality.")
                    % {**what, "metric": data.label or variable, "year": data.year},
                    link,
                )
            )
    return incomplete + weak


def _theories(coalition: Coalition) -> list[Finding]:
    out = []
    for theory in selectors.theories(coalition):
        which = (
            _("the theory of change of “%(area)s”") % {"area": theory.priority_area.name}
            if theory.priority_area
            else _("the theory of change of the whole plan")
        )
        link = reverse("map:theory_edit", args=[coalition.pk, theory.pk])
        if theory.edited_at is None:
            out.append(
                _finding(
                    "theory",
                    _(
                        "Nobody has looked at %(which)s since it was filled in from the "
                        "worksheets. Open it and check how the sentence reads."
                    )
                    % {"which": which},
                    link,
                )
            )
        problems = theory.part_problems
        if problems:
            names = ", ".join(str(theory_of_change.PART_NAMES[p]).lower() for p in problems)
            out.append(
                _finding(
                    "theory",
                    _(
                        "In %(which)s, these parts read as whole sentences, so the plan's "
                        "sentence does not read well: %(parts)s."
                    )
                    % {"which": which, "parts": names},
                    link,
                )
            )
        if not theory.has_own_text and not (theory.impact_medium and theory.impact_long):
            out.append(
                _finding(
                    "theory",
                    _("%(which)s has no medium-term or no long-term result.")
                    % {"which": which[:1].upper() + which[1:]},
                    link,
                )
            )
    return out


def _goals(coalition: Coalition, document: Mapping[str, Any]) -> list[Finding]:
    """Priority areas without a headline goal (a council adopts a plan by its goals)."""
    link = reverse("map:strategy", args=[coalition.pk])
    missing = [area.name for area in coalition.priority_areas.filter(goals__isnull=True).distinct()]
    return [
        _finding("goals_missing", _("“%(area)s” has no headline goal.") % {"area": name}, link)
        for name in missing
    ]

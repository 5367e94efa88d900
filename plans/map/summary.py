"""The executive summary: two to four pages for leaders, made from the same document.

``summary_blocks`` is the document provider of the plan's Executive Summary section (M1): the
vision, the priorities with their headline goals and main strategic actions, the decisions
asked of the government, and who is in the coalition. The summary export is that section of
the same document (``summary_document``), each of its parts a short section, so the summary
and the full plan can never say different things, and a frozen version's summary is made from
what was frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from plans.map import blocks
from plans.map.blocks import Block

# Where a strategic action keeps the decision it asks of the government (the implementation
# table's field; the first that exists is read, so the summary works before and after it).
ASK_FIELDS = ("government_ask", "decision_asked", "ask", "decision_requested")
SUMMARY_SECTION = "M1"
# What a summary document copies of the full document besides its sections.
META_KEYS = (
    "title",
    "coalition",
    "jurisdiction",
    "language",
    "generated_at",
    "version",
    "release_name",
    "audience",
    "front",
)


def _ask(action: Any) -> str:
    for name in ASK_FIELDS:
        value = getattr(action, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _goal_blocks(ctx: Any) -> list[Block]:
    """The headline goals' tables, if the plan has the goals part (charts stay in the plan)."""
    from plans.map import document

    providers: Mapping[str, Callable[[Any], list[Block]]] = getattr(document, "PROVIDERS", {})
    provider = providers.get("goals")
    if provider is None:
        return []
    cached = ctx.cache.get("summary-goals")
    if cached is None:
        cached = [b for b in provider(ctx) if b["type"] in ("table", "heading")]
        ctx.cache["summary-goals"] = cached
    return list(cached)


def summary_blocks(ctx: Any) -> list[Block]:
    coalition = ctx.coalition
    out: list[Block] = []
    vision = getattr(coalition, "map_vision", None)
    if vision is not None and vision.statement.strip():
        out += [blocks.heading(_("Our vision")), blocks.quote(vision.statement.strip())]
    areas = list(coalition.priority_areas.all())
    actions = list(
        coalition.strategic_actions.select_related("priority_area").order_by("position", "pk")
    )
    if areas:
        out.append(blocks.heading(_("Our priorities")))
        for area in areas:
            out.append(blocks.heading(area.name, level=3))
            if area.rationale:
                out.append(blocks.text(area.rationale))
            mine = [a for a in actions if a.priority_area_id == area.pk]
            if mine:
                out.append(blocks.bullets(_action_line(a) for a in mine))
    goals = _goal_blocks(ctx)
    if goals:
        title = _("Headline goals")
        # The goals' own title would repeat the summary's.
        goals = [b for b in goals if not (b["type"] == "heading" and b["text"] == str(title))]
        out += [blocks.heading(title), *[_demote(b) for b in goals]]
    asks = [(a, _ask(a)) for a in actions]
    asks = [(a, ask) for a, ask in asks if ask]
    if asks:
        out += [
            blocks.heading(_("What we ask of the government")),
            blocks.table(
                [_("Strategic action"), _("Priority area"), _("Lead"), _("Decision asked")],
                [
                    [
                        a.title,
                        a.priority_area.name if a.priority_area else "",
                        a.lead_organisation,
                        ask,
                    ]
                    for a, ask in asks
                ],
                caption=_("Decisions asked of the government"),
                row_headers=True,
                key="summary-asks",
            ),
        ]
    if not out:
        return []  # nothing decided yet: who is in the coalition is no summary of a plan
    out += _coalition_blocks(coalition)
    return blocks.clean(out)


def _action_line(action: Any) -> str:
    if action.lead_organisation:
        return _("%(action)s (lead: %(lead)s)") % {
            "action": action.title,
            "lead": action.lead_organisation,
        }
    return str(action.title)


def _demote(block: Block) -> Block:
    """A goals heading one level down, under the summary's own heading."""
    if block["type"] == "heading":
        return {**block, "level": min(4, block["level"] + 1)}
    return block


def _coalition_blocks(coalition: Any) -> list[Block]:
    from plans.map.front import partners

    members = coalition.memberships.count()
    names = partners(coalition)
    text = _("%(name)s brings together %(members)s members.") % {
        "name": coalition.name,
        "members": members,
    }
    out = [blocks.heading(_("Who is in the coalition")), blocks.text(text)]
    if names:
        out += [blocks.text(_("Partner organizations:")), blocks.bullets(names)]
    return out


def summary_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The summary as a document of the same shape: the Executive Summary section of
    ``document``, cut into one short section per part (at its level-2 headings)."""
    with translation.override(document.get("language") or settings.LANGUAGE_CODE):
        return _summary_document(document)


def _summary_document(document: Mapping[str, Any]) -> dict[str, Any]:
    section = next(
        (s for s in document.get("sections") or [] if s.get("key") == SUMMARY_SECTION), None
    )
    found = list(section.get("blocks") or []) if section else []
    parts: list[dict[str, Any]] = []
    current: dict[str, Any] = {"title": "", "blocks": []}
    for block in found:
        if block.get("type") == "heading" and block.get("level") == 2:
            if current["blocks"] or current["title"]:
                parts.append(current)
            current = {"title": block["text"], "blocks": []}
        else:
            current["blocks"].append(block)
    if current["blocks"] or current["title"]:
        parts.append(current)
    if not parts:
        parts = [
            {
                "title": "",
                "blocks": [blocks.note(_("This plan has no executive summary yet."))],
            }
        ]
    sections = []
    for i, part in enumerate(parts, 1):
        # The coalition's own words first, as an overview (the document's subtitle already says
        # "Executive summary").
        title = part["title"] or _("Overview")
        sections.append(
            {"key": f"S{i}", "number": str(i), "title": title, "blocks": part["blocks"]}
        )
    summary = {key: document.get(key) for key in META_KEYS if key in document}
    summary.update(kind="summary", subtitle=_("Executive summary"), sections=sections)
    return summary

"""Answers as people read them: one line of text per value, for read-only pages, diffs and CSV.

``Names`` carries what only the database knows (member names), so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import markdown as md
import nh3
from django.utils.translation import gettext as _

from plans.content import DONT_KNOW, Field, Worksheet
from plans.definitions import framework

# Markdown answers become HTML only through this allow-list.
MARKDOWN_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "h3",
    "h4",
}


def render_markdown(text: str) -> str:
    html = md.markdown(text or "", extensions=[], output_format="html")
    return nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


@dataclass
class Names:
    members: Mapping[int, str] = field(default_factory=dict)


def _one(f: Field, value: Any, names: Names) -> str:
    if value is None or value == "" or value == []:
        return ""
    if f.type in ("choice", "multi_choice"):
        labels = {o.key: o.label for o in f.options}
        return labels.get(value, str(value))
    if f.type == "rating":
        if value == DONT_KNOW:
            return _("Don't know")
        scale = {p.value: p.label for p in f.scale}
        return f"{value} – {scale[value]}" if value in scale else str(value)
    if f.type == "person":
        return names.members.get(value, _("former member #%(id)s") % {"id": value})
    if f.type == "predictor":
        try:
            return framework().predictor(value).name
        except KeyError:
            return str(value)
    if f.type == "pillar":
        try:
            return framework().pillar(value).name
        except KeyError:
            return str(value)
    if f.type == "file" and isinstance(value, Mapping):
        return str(value.get("name", ""))
    if f.type == "percent":
        return f"{value:g}%" if isinstance(value, int | float) else str(value)
    if f.type == "number" and f.unit:
        return f"{value:,} {f.unit}" if isinstance(value, int | float) else str(value)
    return str(value)


def value_text(f: Field, value: Any, names: Names | None = None) -> str:
    """A single field's answer as plain text (tables and checklists as several lines)."""
    names = names or Names()
    if value is None:
        return ""
    if isinstance(value, list) and f.type != "table":
        return "; ".join(_one(f, v, names) for v in value)
    if f.type == "checklist" and isinstance(value, Mapping):
        lines = []
        for item in f.items:
            entry = value.get(item.key) or {}
            mark = "☑" if entry.get("checked") else "☐"
            note = f" ({entry['note']})" if entry.get("note") else ""
            lines.append(f"{mark} {item.label}{note}")
        return "\n".join(lines)
    if f.type == "table":
        return "\n".join(
            f"{label}: " + "; ".join(f"{c.label}: {t}" for c, t in cells if t)
            for label, cells in table_rows(f, value, names)
        )
    return _one(f, value, names)


def table_rows(f: Field, value: Any, names: Names | None = None) -> Iterator[tuple[str, list]]:
    """(row label, [(column, text)]) for a table answer."""
    names = names or Names()
    if f.fixed_rows:
        value = value if isinstance(value, Mapping) else {}
        for row in f.fixed_rows:
            cells = value.get(row.key) or {}
            yield row.label, [(c, value_text(c, cells.get(c.key), names)) for c in f.columns]
    else:
        for i, cells in enumerate(value if isinstance(value, list) else [], 1):
            yield (
                _("Row %(n)s") % {"n": i},
                [(c, value_text(c, cells.get(c.key), names)) for c in f.columns],
            )


def answer_fields(ws: Worksheet) -> list[Field]:
    return [f for f in ws.fields if f.type != "guidance"]


def records(ws: Worksheet, data: Mapping) -> list[Mapping]:
    """The records of a response: one for an ordinary worksheet, many for a repeating one."""
    if ws.repeats:
        return [r for r in (data.get("records") or []) if isinstance(r, Mapping)]
    return [data]


def flat_rows(ws: Worksheet, data: Mapping, names: Names | None = None) -> list[dict[str, str]]:
    """One row per answer for CSV: record, field key, field label, answer text."""
    rows = []
    for i, record in enumerate(records(ws, data), 1):
        for f in answer_fields(ws):
            rows.append(
                {
                    "record": str(i) if ws.repeats else "",
                    "field": f.key,
                    "question": f.label,
                    "answer": value_text(f, record.get(f.key), names),
                }
            )
    return rows


def records_text(ws: Worksheet, value: Any, names: Names | None = None) -> str:
    """The records of a repeating worksheet as text, one paragraph per record."""
    out = []
    for i, record in enumerate(value if isinstance(value, list) else [], 1):
        parts = [
            f"{f.label}: {text}"
            for f in answer_fields(ws)
            if (text := value_text(f, record.get(f.key), names))
        ]
        out.append(f"{ws.repeats} {i}: " + "; ".join(parts))
    return "\n\n".join(out)

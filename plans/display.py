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

from metrics.charts.formatting import format_value
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


def _one(f: Field, value: Any, names: Names, reader: bool = False) -> str:
    if value is None or value == "" or value == []:
        return ""
    if f.type in ("choice", "multi_choice"):
        labels = {o.key: o.label for o in f.options}
        # For a reader, an option no longer in the definition prints nothing, not its key.
        return labels.get(value, "" if reader else str(value))
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
    if not reader:  # the form's own text: what an input holds
        if f.type == "number" and f.unit:
            return f"{value:,} {f.unit}" if isinstance(value, int | float) else str(value)
        return str(value)
    if f.type == "metric":
        return _metric_labels().get(str(value), str(value))
    if f.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        if f.unit.lower() in ("usd", "$", "dollars"):
            return format_value(value, "dollars")
        text = format_value(value, "count" if float(value).is_integer() else "number")
        return f"{text} {f.unit}" if f.unit else text
    return str(value)


def _metric_labels() -> dict[str, str]:
    """Variable -> label of the catalog's metrics (the catalog file, not the database), in the
    reader's language."""
    from metrics.catalog import catalog_local

    return {m.variable: m.label for m in catalog_local().metrics}


def value_text(f: Field, value: Any, names: Names | None = None, *, reader: bool = False) -> str:
    """A single field's answer as plain text (tables and checklists as several lines).

    ``reader``: as a reader of a copy reads it (CSV, compilation, diffs): metrics by their
    labels, numbers formatted by unit, never an option key. Without it, the text a form's
    input holds."""
    names = names or Names()
    if value is None:
        return ""
    if isinstance(value, list) and f.type != "table":
        return "; ".join(t for v in value if (t := _one(f, v, names, reader)))
    if f.type == "checklist" and isinstance(value, Mapping):
        lines = []
        for item in f.items:
            entry = value.get(item.key) or {}
            mark = "☑" if entry.get("checked") else "☐"
            note = f" ({entry['note']})" if entry.get("note") else ""
            lines.append(f"{mark} {item.label}{note}")
        return "\n".join(lines)
    if f.type == "table":
        # One line per row; a fixed row leads with its name, a free row is just its cells.
        lines = []
        for label, cells in table_rows(f, value, names, reader=reader):
            text = "; ".join(f"{c.label}: {t}" for c, t in cells if t)
            if text:
                lines.append(f"{label}: {text}" if f.fixed_rows else text)
        return "\n".join(lines)
    return _one(f, value, names, reader)


def table_rows(
    f: Field, value: Any, names: Names | None = None, *, reader: bool = False
) -> Iterator[tuple[str, list]]:
    """(row label, [(column, text)]) for a table answer."""
    names = names or Names()
    if f.fixed_rows:
        value = value if isinstance(value, Mapping) else {}
        for row in f.fixed_rows:
            cells = value.get(row.key) or {}
            yield (
                row.label,
                [(c, value_text(c, cells.get(c.key), names, reader=reader)) for c in f.columns],
            )
    else:
        for i, cells in enumerate(value if isinstance(value, list) else [], 1):
            yield (
                _("Row %(n)s") % {"n": i},
                [(c, value_text(c, cells.get(c.key), names, reader=reader)) for c in f.columns],
            )


def answer_fields(ws: Worksheet) -> list[Field]:
    return [f for f in ws.fields if f.type != "guidance"]


def records(ws: Worksheet, data: Mapping) -> list[Mapping]:
    """The records of a response: one for an ordinary worksheet, many for a repeating one."""
    if ws.repeats:
        return [r for r in (data.get("records") or []) if isinstance(r, Mapping)]
    return [data]


def flat_columns() -> dict[str, str]:
    """The CSV's columns: key of ``flat_rows``' dicts -> the header a reader sees."""
    return {"record": _("Record"), "question": _("Question"), "answer": _("Answer")}


def record_title(ws: Worksheet, record: Mapping, names: Names | None = None) -> str:
    """What names a record of a repeating worksheet: its first short answer."""
    naming = ("short_text", "choice", "metric", "organisation", "predictor", "pillar")
    for f in answer_fields(ws):
        text = value_text(f, record.get(f.key), names, reader=True).strip()
        if f.type in naming and text:
            return text
    return ws.repeats


def flat_rows(ws: Worksheet, data: Mapping, names: Names | None = None) -> list[dict[str, str]]:
    """One row per answer for CSV: the record (named by its first answer), the question and
    the answer as a reader reads them."""
    rows = []
    for record in records(ws, data):
        title = record_title(ws, record, names) if ws.repeats else ""
        for f in answer_fields(ws):
            rows.append(
                {
                    "record": title,
                    "question": f.label,
                    "answer": value_text(f, record.get(f.key), names, reader=True),
                }
            )
    return rows


def records_text(ws: Worksheet, value: Any, names: Names | None = None) -> str:
    """The records of a repeating worksheet as text, one paragraph per record, each led by
    what names it."""
    out = []
    for record in value if isinstance(value, list) else []:
        if not isinstance(record, Mapping):
            continue
        parts = [
            f"{f.label}: {text}"
            for f in answer_fields(ws)
            if (text := value_text(f, record.get(f.key), names, reader=True))
        ]
        out.append(f"{record_title(ws, record, names)}\n" + "\n".join(parts))
    return "\n\n".join(out)

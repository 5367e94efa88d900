"""The plan's building blocks: the few shapes every part of a Mobility Action Plan is made of.

A section of the plan document is a list of blocks. Each block is a plain, JSON-serialisable
dict with a ``type`` that one template renders for the web pages, the public page and the PDF
(``templates/plans/map/blocks/<type>.html``) and one function renders for Word
(``plans/map/word.py``). Whoever builds a part of the plan (the worksheets' presentation,
headline goals, the implementation table, the data appendix) builds it from these shapes, so a
new part never needs a new template or a new export branch.

Text in blocks is already what the reader sees: labels, not keys; names, not ids; numbers and
dates formatted for the plan's language (``metrics.charts.formatting.format_value``,
``date_words``). Build a document inside ``translation.override(language)``.

Shapes:

- ``heading``: ``text``, ``level`` (2 to 4; a section's own title is level 1 in print).
- ``text``: ``text`` (Markdown as written) and ``html`` (the safe rendering of it).
- ``facts``: ``items`` of ``{"label", "value"}``: a short definition list.
- ``list``: ``items`` of strings.
- ``quote``: ``text`` and optional ``attribution``.
- ``table``: ``caption``, ``headers`` (strings), ``rows`` (lists of strings, one per header),
  ``numeric`` (one bool per header: right-aligned), ``row_headers`` (the first cell names the
  row), ``notes`` (strings printed under the table), ``key`` (what the table is, for tests).
- ``chart``: ``spec`` (the data a chart is drawn from, see ``plans.map.charting``),
  ``caption`` and ``note`` (a footnote number or ``None``).
- ``note``: ``text`` and ``tone`` (``"muted"`` or ``"warning"``).
- ``footnotes``: ``items`` of ``{"n", "text"}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from plans.display import render_markdown

Block = dict[str, Any]

TYPES = ("heading", "text", "facts", "list", "quote", "table", "chart", "note", "footnotes")


def heading(text: str, level: int = 2) -> Block:
    return {"type": "heading", "text": str(text), "level": max(2, min(4, level))}


def text(markdown: str) -> Block:
    return {"type": "text", "text": markdown, "html": render_markdown(markdown)}


def facts(items: Iterable[tuple[str, str]]) -> Block:
    return {
        "type": "facts",
        "items": [{"label": str(label), "value": str(value)} for label, value in items if value],
    }


def bullets(items: Iterable[str]) -> Block:
    return {"type": "list", "items": [str(i) for i in items if i]}


def quote(text: str, attribution: str = "") -> Block:
    return {"type": "quote", "text": text, "attribution": attribution}


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str = "",
    numeric: Sequence[bool] | None = None,
    row_headers: bool = False,
    notes: Iterable[str] = (),
    key: str = "",
    drop_empty_columns: bool = True,
) -> Block:
    """A table of text cells. Rows with nothing in them are left out; so, unless told
    otherwise, are columns that are empty in every row."""
    body = [["" if c is None else str(c) for c in row] for row in rows]
    body = [row for row in body if any(cell.strip() for cell in row)]
    heads = [str(h) for h in headers]
    flags = list(numeric) if numeric is not None else [False] * len(heads)
    if drop_empty_columns and body:
        keep = [i for i in range(len(heads)) if any(row[i].strip() for row in body)]
        if row_headers and 0 not in keep:
            keep.insert(0, 0)
        heads = [heads[i] for i in keep]
        flags = [flags[i] for i in keep]
        body = [[row[i] for i in keep] for row in body]
    return {
        "type": "table",
        "caption": str(caption),
        "headers": heads,
        "rows": body,
        "numeric": flags,
        "row_headers": row_headers,
        "notes": [str(n) for n in notes if n],
        "key": key,
    }


def chart(spec: dict[str, Any], *, caption: str = "", note: int | None = None) -> Block:
    return {"type": "chart", "spec": spec, "caption": caption, "note": note}


def note(text: str, tone: str = "muted") -> Block:
    return {"type": "note", "text": str(text), "tone": tone}


def footnotes(items: Iterable[dict[str, Any]]) -> Block:
    return {"type": "footnotes", "items": list(items)}


def is_empty(block: Block) -> bool:
    """Whether a block would print nothing (such blocks are never kept)."""
    kind = block["type"]
    if kind in ("facts", "list", "footnotes"):
        return not block["items"]
    if kind == "table":
        return not block["rows"]
    if kind in ("text", "quote", "note", "heading"):
        return not str(block.get("text", "")).strip()
    return False


def clean(blocks: Iterable[Block]) -> list[Block]:
    """Drop empty blocks, and headings left with nothing under them before the next heading
    of the same or a higher level."""
    kept = [b for b in blocks if not is_empty(b)]
    out: list[Block] = []
    for i, block in enumerate(kept):
        if block["type"] == "heading":
            following = kept[i + 1] if i + 1 < len(kept) else None
            if following is None or (
                following["type"] == "heading" and following["level"] <= block["level"]
            ):
                continue
        out.append(block)
    return out


def date_words(value: dt.date | str | None) -> str:
    """A date as a reader writes it, in the active language: "December 4, 2026",
    "4 de diciembre de 2026"."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    # English spells the month out ("December", not Django's "Dec."); other languages
    # already do in their DATE_FORMAT.
    if (get_language() or "en").startswith("en"):
        return formats.date_format(value, "F j, Y")
    return formats.date_format(value, "DATE_FORMAT")


def period_words(start: dt.date | str | None, end: dt.date | str | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": date_words(start), "end": date_words(end)}
    if start:
        return _("from %(start)s") % {"start": date_words(start)}
    if end:
        return _("until %(end)s") % {"end": date_words(end)}
    return ""

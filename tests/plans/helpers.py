"""Sample answers for every field type, and a small reader of the worksheet form's inputs."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from plans import definitions
from plans.content import DONT_KNOW, Field, Worksheet


def sample_value(f: Field, member_id: int, n: int = 1) -> Any:
    """A valid, non-empty answer for ``f``."""
    t = f.type
    if t == "long_text":
        return f"Answer {n} to {f.key}:\nline two <b>not bold</b>"
    if t == "short_text":
        return f"Short {n} {f.key}"[: f.max_length or 200]
    if t in ("number", "percent"):
        lo = f.min if f.min is not None else 0
        return int(lo) + 1 if (f.max is None or lo + 1 <= f.max) else int(lo)
    if t == "date":
        return "2026-03-31"
    if t == "url":
        return "https://www.example.org/page"
    if t == "file":
        return None  # needs an upload; covered by its own test
    if t == "person":
        return [member_id] if f.multiple else member_id
    if t == "organisation":
        return ["Food Bank", "City Hall"] if f.multiple else "Food Bank"
    if t == "choice":
        return f.options[-1].key
    if t == "multi_choice":
        return [o.key for o in f.options[:2]]
    if t == "rating":
        return DONT_KNOW if f.dont_know and n % 2 else f.scale[0].value
    if t == "predictor":
        keys = [p.key for p in definitions.framework().predictors]
        return keys[:2] if f.multiple else keys[0]
    if t == "pillar":
        keys = [p.key for p in definitions.framework().pillars]
        return keys[:2] if f.multiple else keys[0]
    if t == "metric":
        return ["share_low_birth_weight", "share_employed"] if f.multiple else "share_employed"
    if t == "checklist":
        return {
            i.key: {"checked": k % 2 == 0, "note": "noted" if f.note and k == 0 else ""}
            for k, i in enumerate(f.items)
        }
    if t == "table":
        if f.fixed_rows:
            return {
                r.key: {c.key: sample_value(c, member_id, k) for c in f.columns}
                for k, r in enumerate(f.fixed_rows)
            }
        return [{c.key: sample_value(c, member_id, k) for c in f.columns} for k in (1, 2)]
    return None


def sample_record(ws: Worksheet, member_id: int) -> dict[str, Any]:
    out = {}
    for f in ws.fields:
        if f.type != "guidance":
            value = sample_value(f, member_id)
            if value is not None:
                out[f.key] = value
    return out


def sample_data(ws: Worksheet, member_id: int) -> dict[str, Any]:
    if ws.repeats:
        return {"records": [sample_record(ws, member_id), sample_record(ws, member_id)]}
    return sample_record(ws, member_id)


class FormReader(HTMLParser):
    """The values a browser would submit from the worksheet form (no button pressed)."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.labels_for: set[str] = set()
        self.ids: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and "data-autosave" in a:
            self._in_form = True
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])
        if not self._in_form:
            return
        name = a.get("name")
        if tag in ("input", "textarea", "select") and name and a.get("id"):
            self.ids[a["id"]] = a.get("type", tag)
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
            elif kind not in ("file", "submit"):
                self.pairs.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.pairs.append((self._textarea, text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def without_superseded(ws: Worksheet, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the answers records took the place of (saves refuse changing them)."""
    keys = {f.key for f in ws.fields if f.superseded_by}
    if ws.repeats:
        return {"records": [{k: v for k, v in r.items() if k not in keys} for r in data["records"]]}
    return {k: v for k, v in data.items() if k not in keys}


def store_superseded(coalition: Any, ws: Worksheet, data: dict[str, Any], owner: Any = None):
    """Put the superseded answers in ``data`` straight into the response, as answers written
    before records took their place; returns the response."""
    from plans.models import WorksheetResponse

    keys = {f.key for f in ws.fields if f.superseded_by}
    where = {"coalition": coalition, "worksheet_key": ws.key, "owner": owner}
    if not keys or ws.repeats:
        return WorksheetResponse.objects.filter(**where).first()
    response, _created = WorksheetResponse.objects.get_or_create(**where)
    response.data = {**response.data, **{k: v for k, v in data.items() if k in keys}}
    response.version = max(response.version, 1)
    if response.status == "not_started":
        response.status = "in_progress"
    response.save()
    return response

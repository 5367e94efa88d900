"""Worksheet forms built from the definitions: reading a POST into answers, and the widget tree.

No form class per worksheet: every input is named after the answer it holds, so one parser
and one set of templates serve all 47 worksheets.

Input names: ``<field>`` for a plain answer; ``<field>-<row>-<column>`` for a table cell (row is
a number, or the row key of a fixed table); ``<field>-<item>`` and ``<field>-<item>-note`` for a
checklist; repeating worksheets prefix every name with ``r<record>-``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.content import DONT_KNOW, SUPERSEDING_RECORDS, Field, Worksheet
from plans.definitions import framework
from plans.display import Names, records, render_markdown, table_rows, value_text

MULTI_TEXT = ("organisation", "metric")  # multiple answers typed one per line


def _is_multi(f: Field) -> bool:
    return f.type == "multi_choice" or (f.multiple and f.type not in MULTI_TEXT)


def _read(f: Field, name: str, post: QueryDict) -> Any:
    if f.type == "checklist":
        return {
            item.key: {
                "checked": post.get(f"{name}-{item.key}") == "on",
                "note": post.get(f"{name}-{item.key}-note", "") if f.note else "",
            }
            for item in f.items
        }
    if f.type == "table":
        return _read_table(f, name, post)
    if _is_multi(f):
        return [v for v in post.getlist(name) if v != ""]
    if f.multiple and f.type in MULTI_TEXT:
        return [v.strip() for v in re.split(r"[\n,]", post.get(name, "")) if v.strip()]
    return post.get(name, "")


def _read_table(f: Field, name: str, post: QueryDict) -> Any:
    if f.fixed_rows:
        return {
            row.key: {c.key: _read(c, f"{name}-{row.key}-{c.key}", post) for c in f.columns}
            for row in f.fixed_rows
        }
    try:
        count = min(int(post.get(f"{name}-rows", "0")), 500)
    except ValueError:
        count = 0
    removed = post.get("remove_row", "")
    return [
        {c.key: _read(c, f"{name}-{i}-{c.key}", post) for c in f.columns}
        for i in range(count)
        if removed != f"{name}-{i}"
    ]


def parse_post(ws: Worksheet, post: QueryDict) -> dict[str, Any]:
    """The answers in a submitted worksheet form; file fields are left to the view."""
    answer = [f for f in ws.fields if f.type not in ("guidance", "file")]

    def posted(f: Field, name: str) -> bool:
        # A read-only answer (superseded by records) is not on the form: only a form that
        # still carries it (a page opened before) sends it, and the save then refuses it.
        return not f.superseded_by or any(k == name or k.startswith(name + "-") for k in post)

    if not ws.repeats:
        return {f.key: _read(f, f.key, post) for f in answer if posted(f, f.key)}
    try:
        count = min(int(post.get("records", "0")), 100)
    except ValueError:
        count = 0
    removed = post.get("remove_record", "")
    recs = [
        {f.key: _read(f, f"r{i}-{f.key}", post) for f in answer if posted(f, f"r{i}-{f.key}")}
        for i in range(count)
        if removed != str(i)
    ]
    if "add_record" in post:
        recs.append({})
    return {"records": recs}


def added_row(post: QueryDict) -> str:
    return post.get("add_row", "")


# --- widgets ------------------------------------------------------------------------------------


@dataclass
class Widget:
    field: Field
    name: str
    id: str
    value: Any
    errors: list[str] = dataclasses.field(default_factory=list)
    options: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    groups: list[tuple[str, list[tuple[str, str]]]] = dataclasses.field(default_factory=list)
    rows: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    text: str = ""  # read-only text of the answer
    html: str = ""  # sanitised Markdown, or computed guidance
    label: str = ""  # the label to show (table cells: row and column)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.field.type

    @property
    def multi(self) -> bool:
        return _is_multi(self.field)

    @property
    def chosen(self) -> list[str]:
        v = self.value
        return [str(x) for x in (v if isinstance(v, list) else [v]) if x not in (None, "")]

    @property
    def as_text(self) -> str:
        v = self.value
        if isinstance(v, list):
            return "\n".join(str(x) for x in v)
        return "" if v is None else str(v)


@dataclass
class Context:
    names: Names
    members: list[tuple[str, str]]
    organisations: list[str]
    errors: Mapping[str, list[str]]
    computed: Any  # callable(field) -> str
    metric: Any  # callable(variable) -> MetricValue | None
    prefill: Any = None  # callable(field, record) -> str


def _options(f: Field, ctx: Context) -> tuple[list, list]:
    if f.type in ("choice", "multi_choice"):
        return [(o.key, o.label) for o in f.options], []
    if f.type == "rating":
        opts = [(str(p.value), f"{p.value} – {p.label}") for p in f.scale]
        if f.dont_know:
            opts.append((DONT_KNOW, _("Don't know")))
        return opts, []
    if f.type == "person":
        return ctx.members, []
    if f.type == "pillar":
        return [(p.key, p.name) for p in framework().pillars], []
    if f.type == "predictor":
        groups = [(p.name, [(q.key, q.name) for q in p.predictors]) for p in framework().pillars]
        return [o for _g, opts in groups for o in opts], groups
    return [], []


def widget(f: Field, name: str, value: Any, ctx: Context, label: str = "") -> Widget:
    options, groups = _options(f, ctx)
    w = Widget(
        field=f,
        name=name,
        id=f"id_{name}",
        value=value,
        errors=list(ctx.errors.get(name, [])),
        options=options,
        groups=groups,
        text=value_text(f, value, ctx.names) if not isinstance(value, str) else value,
        label=label or f.label,
    )
    if f.type in ("choice", "multi_choice", "person", "rating", "pillar", "predictor"):
        w.text = value_text(f, _coerce(f, value), ctx.names)
    if f.type == "long_text" and f.markdown and isinstance(value, str):
        w.html = render_markdown(value)
    if f.type == "guidance":
        w.html = ctx.computed(f) if f.computed else ""
    if f.type == "metric":
        variables = value if isinstance(value, list) else [value] if value else []
        w.extra["metrics"] = [(v, ctx.metric(v)) for v in variables if isinstance(v, str)]
    if f.type == "table":
        w.rows = _table_rows(f, name, value, ctx)
    if f.superseded_by:
        w.extra["superseded"] = SUPERSEDING_RECORDS[f.superseded_by]
    if f.type == "checklist":
        value = value if isinstance(value, Mapping) else {}
        w.rows = [
            {
                "item": item,
                "name": f"{name}-{item.key}",
                "checked": bool((value.get(item.key) or {}).get("checked")),
                "note": (value.get(item.key) or {}).get("note", ""),
            }
            for item in f.items
        ]
    return w


def _coerce(f: Field, value: Any) -> Any:
    # A redisplayed form holds strings; the display wants stored types.
    if f.type in ("person", "rating") and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _table_rows(f: Field, name: str, value: Any, ctx: Context) -> list[dict[str, Any]]:
    rows = []
    if f.fixed_rows:
        value = value if isinstance(value, Mapping) else {}
        for row in f.fixed_rows:
            cells = value.get(row.key) or {}
            prefix = f"{name}-{row.key}"
            rows.append(
                {
                    "label": row.label,
                    "key": row.key,
                    "cells": [
                        widget(
                            c, f"{prefix}-{c.key}", cells.get(c.key), ctx, f"{row.label}: {c.label}"
                        )
                        for c in f.columns
                    ],
                }
            )
        return rows
    for i, cells in enumerate(value if isinstance(value, list) else []):
        prefix = f"{name}-{i}"
        label = _("Row %(n)s") % {"n": i + 1}
        rows.append(
            {
                "label": label,
                "key": prefix,
                "cells": [
                    widget(c, f"{prefix}-{c.key}", cells.get(c.key), ctx, f"{label}: {c.label}")
                    for c in f.columns
                ],
            }
        )
    return rows


def with_blank_rows(ws: Worksheet, data: Mapping[str, Any], add_row: str = "") -> dict:
    """Free tables get one empty row to type into (two after "Add a row"), without JavaScript."""

    def pad(record: Mapping[str, Any], prefix: str) -> dict:
        out = dict(record)
        for f in ws.fields:
            if f.type == "table" and not f.fixed_rows and not f.superseded_by:
                rows = list(out.get(f.key) or [])
                extra = 2 if add_row == f"{prefix}{f.key}" else 1
                if not f.max_rows or len(rows) < f.max_rows:
                    rows += [{} for _ in range(extra)]
                out[f.key] = rows
        return out

    if ws.repeats:
        return {"records": [pad(r, f"r{i}-") for i, r in enumerate(records(ws, data))]}
    return pad(data, "")


def _with_prefill(ws: Worksheet, record: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    # A suggested starting text fills an empty answer on the form; it is saved once the person
    # saves, and stays theirs to edit.
    empty = [f for f in ws.fields if f.prefill and not record.get(f.key)]
    if not empty or ctx.prefill is None:
        return record
    out = dict(record)
    for f in empty:
        out[f.key] = ctx.prefill(f, record) or None
    return out


def build_widgets(
    ws: Worksheet, data: Mapping[str, Any], ctx: Context, *, prefill: bool = False
) -> list[dict[str, Any]]:
    """One entry per record (one for an ordinary worksheet) holding a widget per field."""
    out = []
    for i, record in enumerate(records(ws, data)):
        if prefill:
            record = _with_prefill(ws, record, ctx)
        prefix = f"r{i}-" if ws.repeats else ""
        out.append(
            {
                "index": i,
                "title": f"{ws.repeats} {i + 1}" if ws.repeats else "",
                "widgets": [widget(f, prefix + f.key, record.get(f.key), ctx) for f in ws.fields],
                "errors": ctx.errors.get(f"{i}.__all__", []),
            }
        )
    return out


def errors_by_name(ws: Worksheet, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Service error keys ("3.q1" for record 3) as input names ("r3-q1")."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if ws.repeats and "." in key:
            i, name = key.split(".", 1)
            out[f"r{i}-{name}"] = list(messages)
        else:
            out[key] = list(messages)
    return out


# --- small forms ------------------------------------------------------------------------------


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Mention someone with @ and their handle; they get an email."),
    )
    field_key = forms.CharField(required=False, widget=forms.HiddenInput)


class AssignmentForm(forms.Form):
    worksheet_key = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Who"))
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Year-month-day, for example 2026-03-31."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, step: Any, members: Any, groups: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        what = [("", _("The whole step"))]
        what += [(w.key, f"{w.number} {w.title}") for w in step.worksheets]
        self.fields["worksheet_key"].choices = what  # type: ignore[attr-defined]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (_("People"), [(f"m{m.pk}", m.user.display_name) for m in members]),
            (_("Working groups"), [(f"g{g.pk}", g.name) for g in groups]),
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workspace file (JSON)"),
        help_text=gettext_lazy("A file downloaded with “Export the whole workspace”."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Please choose a .json file."))
        return upload


def markdown_preview(text: str) -> str:
    return render_markdown(text)


__all__ = [
    "AssignmentForm",
    "CommentForm",
    "Context",
    "ImportForm",
    "Widget",
    "build_widgets",
    "errors_by_name",
    "parse_post",
    "table_rows",
    "with_blank_rows",
]

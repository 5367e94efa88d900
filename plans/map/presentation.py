"""The feeding worksheets as a reader meets them in the plan: blocks, not answer dumps.

How each worksheet prints is data (``present:`` in ``plans/data/step*.yaml``, read by
``plans.loader``); a worksheet without one prints by a default derived from its fields. Which
answers may print is the field's ``visibility`` (public or internal), changed per coalition by
its project manager, who may also choose which rows of a table (or records of a repeating
worksheet) a section publishes. ``Publication`` carries those choices; a frozen version keeps
the ones it was built with (``document["publication"]``).

For ``audience="public"`` only public fields and chosen rows print. For ``"internal"``
everything prints, and what would not be published is marked "Internal: not published".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from metrics.charts.formatting import format_value
from plans import definitions
from plans.content import DONT_KNOW, Field, TablePresentation, Worksheet
from plans.display import Names
from plans.loader import UNPRINTED_TYPES
from plans.map import blocks
from plans.map.blocks import Block

PUBLIC, INTERNAL = "public", "internal"
SHORT_TYPES = frozenset(
    {
        "short_text",
        "number",
        "percent",
        "date",
        "url",
        "person",
        "organisation",
        "choice",
        "multi_choice",
        "rating",
        "predictor",
        "pillar",
        "metric",
    }
)
DOLLAR_UNITS = frozenset({"usd", "$", "dollars", "dollar"})
# A default table of a repeating worksheet keeps to this many short columns; wider ones print
# as facts per record.
MAX_DEFAULT_COLUMNS = 6


# --- the coalition's choices -------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """What a coalition's project manager chose: visibility overrides by field path
    (``"w4_2.p2_candidates.expected_stance"``) and, per section, the rows a table or repeating
    worksheet publishes (``"M3:w4_3:champions"`` -> row ids; absent means every row)."""

    visibility: Mapping[str, str] = field(default_factory=dict)
    chosen: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "visibility": dict(sorted(self.visibility.items())),
            "chosen": {k: list(v) for k, v in sorted(self.chosen.items())},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Publication:
        raw = raw or {}
        return cls(dict(raw.get("visibility") or {}), dict(raw.get("chosen") or {}))


def choice_key(section_key: str, worksheet_key: str, field_key: str = "") -> str:
    return f"{section_key}:{worksheet_key}:{field_key}"


def default_visibility(ws: Worksheet, field_key: str, column_key: str = "") -> str:
    f = ws.field(field_key)
    if not column_key:
        return f.visibility
    column = f.column(column_key)
    if column is None:
        raise KeyError(f"{ws.key}.{field_key} has no column {column_key!r}")
    return column.visibility


def visibility(ws: Worksheet, pub: Publication, field_key: str, column_key: str = "") -> str:
    """A field's (or column's) visibility for this coalition. A column of an internal table is
    internal, whatever the column says."""
    path = f"{ws.key}.{field_key}"
    own = pub.visibility.get(path) or ws.field(field_key).visibility
    if not column_key:
        return own
    if own == INTERNAL:
        return INTERNAL
    return pub.visibility.get(f"{path}.{column_key}") or default_visibility(
        ws, field_key, column_key
    )


def row_id(row: Any) -> str:
    """A row's id for the project manager's choice: its content's fingerprint, so that a
    row edited after it was chosen is no longer chosen (it must be chosen again)."""
    text = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# --- values as a reader reads them --------------------------------------------------------------


@dataclass
class Lookups:
    """What only the database knows: member names and metric labels."""

    names: Names = field(default_factory=Names)
    metrics: Mapping[str, str] = field(default_factory=dict)


def _number(f: Field, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if f.unit.lower() in DOLLAR_UNITS:
        return format_value(value, "dollars")
    text = format_value(value, "count" if f.integer or float(value).is_integer() else "number")
    return f"{text} {f.unit}" if f.unit else text


def _one(f: Field, value: Any, lookups: Lookups) -> str:
    """One value as words; an unknown key prints nothing rather than the key."""
    if value is None or value == "":
        return ""
    kind = f.type
    if kind in ("choice", "multi_choice"):
        option = f.option(str(value))
        return option.label if option else ""
    if kind == "rating":
        if value == DONT_KNOW:
            return _("Don't know")
        return next((p.label for p in f.scale if p.value == value), "")
    if kind == "person":
        if isinstance(value, int):
            return lookups.names.members.get(value) or _("a former member")
        return ""
    if kind == "organisation":
        return value if isinstance(value, str) else ""
    if kind in ("predictor", "pillar"):
        fw = definitions.framework()
        try:
            return (fw.predictor(value) if kind == "predictor" else fw.pillar(value)).name
        except KeyError:
            return ""
    if kind == "metric":
        return lookups.metrics.get(str(value), "")
    if kind == "date":
        return blocks.date_words(value)
    if kind == "number":
        return _number(f, value)
    if kind == "percent":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_value(value / 100, "share")
        return str(value)
    if isinstance(value, Mapping | list):
        return ""
    return str(value).strip()


def cell_text(f: Field, value: Any, lookups: Lookups) -> str:
    """A field's answer as one line (several values joined), for a cell or a fact."""
    if f.type == "checklist":
        return "; ".join(checklist_items(f, value))
    if f.type == "table":
        return "; ".join(
            ", ".join(t for t in row if t) for row in _table_rows(f, value, f.columns, lookups)
        )
    if isinstance(value, list):
        return ", ".join(t for v in value if (t := _one(f, v, lookups)))
    return _one(f, value, lookups)


def checklist_items(f: Field, value: Any) -> list[str]:
    value = value if isinstance(value, Mapping) else {}
    out = []
    for item in f.items:
        entry = value.get(item.key)
        checked = entry.get("checked") if isinstance(entry, Mapping) else bool(entry)
        if checked:
            note = entry.get("note", "") if isinstance(entry, Mapping) else ""
            out.append(f"{item.label} ({note})" if note else item.label)
    return out


def _table_rows(
    f: Field, value: Any, columns: Sequence[Field], lookups: Lookups
) -> list[list[str]]:
    """The rows of a table answer as text (a fixed-row table's row name first)."""
    if f.fixed_rows:
        value = value if isinstance(value, Mapping) else {}
        return [
            [
                row.label,
                *(cell_text(c, (value.get(row.key) or {}).get(c.key), lookups) for c in columns),
            ]
            for row in f.fixed_rows
            if isinstance(value.get(row.key), Mapping)
        ]
    rows = value if isinstance(value, list) else []
    return [
        [cell_text(c, r.get(c.key), lookups) for c in columns]
        for r in rows
        if isinstance(r, Mapping)
    ]


def _raw_rows(f: Field, value: Any) -> list[tuple[str, Mapping]]:
    """(row id, cells) of a table answer: a fixed row's key, a free row's fingerprint."""
    if f.fixed_rows:
        value = value if isinstance(value, Mapping) else {}
        return [
            (row.key, value[row.key])
            for row in f.fixed_rows
            if isinstance(value.get(row.key), Mapping)
        ]
    rows = value if isinstance(value, list) else []
    return [(row_id(r), r) for r in rows if isinstance(r, Mapping)]


# --- the plan's parts ---------------------------------------------------------------------------


def internal_label(label: str) -> str:
    return _("%(label)s (internal: not published)") % {"label": label}


def internal_note() -> Block:
    return blocks.note(_("Internal: not published. Shown to the coalition only."), tone="warning")


@dataclass
class _Ctx:
    ws: Worksheet
    section_key: str
    audience: str
    pub: Publication
    lookups: Lookups
    drawn: Sequence[str] = ()

    @property
    def public(self) -> bool:
        return self.audience == PUBLIC

    def visible(self, field_key: str, column_key: str = "") -> str:
        return visibility(self.ws, self.pub, field_key, column_key)

    def chosen(self, field_key: str = "") -> set[str] | None:
        rows = self.pub.chosen.get(choice_key(self.section_key, self.ws.key, field_key))
        return None if rows is None else set(rows)

    def label(self, f: Field) -> str:
        return self.ws.present.labels.get(f.key) or f.label


def shown_fields(ws: Worksheet, section_key: str = "", drawn: Sequence[str] = ()) -> list[Field]:
    """The fields the plan prints for a worksheet, in the reader's order (``present: show``);
    a field that names the sections it feeds prints only in those. A worksheet the section
    already shows as records (``printed_by`` among the providers that ``drawn`` something)
    prints only its ``show`` fields; until those records exist, all of it prints."""
    present = ws.present
    by_records = bool(present.printed_by) and present.printed_by in drawn
    if by_records or (present.show and not present.printed_by):
        fields = [ws.field(k) for k in present.show]
    else:
        fields = [f for f in ws.fields if f.type not in UNPRINTED_TYPES and not f.process]
    if section_key:
        fields = [f for f in fields if not f.feeds or section_key in f.feeds]
    return fields


def table_columns(f: Field, spec: TablePresentation | None) -> list[Field]:
    if spec and spec.columns:
        return [c for k in spec.columns if (c := f.column(k)) is not None]
    return list(f.columns)


def _table_block(
    ctx: _Ctx, f: Field, value: Any, *, caption: str, choose: bool = True, level: int = 3
) -> list[Block]:
    """A table field as one table (or one per group), with only the columns a reader needs
    and the rows this section publishes."""
    spec = ctx.ws.present.tables.get(f.key)
    columns = table_columns(f, spec)
    # A wholly internal table is marked once, above it; a public one marks its internal columns.
    whole_internal = ctx.visible(f.key) == INTERNAL
    shown = []
    for c in columns:
        vis = ctx.visible(f.key, c.key)
        if ctx.public and vis == INTERNAL:
            continue
        label = (spec.labels.get(c.key) if spec else None) or c.label
        marked = vis == INTERNAL and not whole_internal
        shown.append((c, internal_label(label) if marked else label))
    if not shown:
        return []
    chosen = ctx.chosen(f.key) if choose else None
    rows, left_out = [], []
    group_col = f.column(spec.group_by) if spec and spec.group_by else None
    for rid, cells in _raw_rows(f, value):
        texts = [cell_text(c, cells.get(c.key), ctx.lookups) for c, _label in shown]
        if f.fixed_rows:
            texts.insert(0, next(r.label for r in f.fixed_rows if r.key == rid))
        if chosen is not None and rid not in chosen:
            if ctx.public:
                continue
            left_out.append(next((t for t in texts if t), ""))
        group = cell_text(group_col, cells.get(group_col.key), ctx.lookups) if group_col else ""
        rows.append((group, texts))
    headers = [label for _c, label in shown]
    numeric = [c.type in ("number", "percent") for c, _label in shown]
    if f.fixed_rows:
        headers.insert(0, f.row_header)
        numeric.insert(0, False)
    notes = []
    if left_out:
        notes.append(
            _("Not published (not chosen for this section): %(rows)s")
            % {"rows": "; ".join(t for t in left_out if t)}
        )
    if group_col is None:
        return [
            blocks.table(
                headers,
                [t for _g, t in rows],
                caption=caption,
                numeric=numeric,
                row_headers=bool(f.fixed_rows),
                notes=notes,
                key=f"{ctx.ws.key}.{f.key}",
            )
        ]
    # One table per group, in the order the groups first appear; the group column drops out.
    drop = [i for i, (c, _l) in enumerate(shown) if c.key == group_col.key]
    keep = [i for i in range(len(headers)) if i not in drop]
    out: list[Block] = []
    for group in dict.fromkeys(g for g, _t in rows):
        out.append(blocks.heading(group or _("Other"), level))
        out.append(
            blocks.table(
                [headers[i] for i in keep],
                [[t[i] for i in keep] for g, t in rows if g == group],
                caption=caption,
                numeric=[numeric[i] for i in keep],
                key=f"{ctx.ws.key}.{f.key}",
            )
        )
    if notes:
        out.append(blocks.note(notes[0]))
    return out


def plain_text(text: str, lead: str = "") -> Block:
    """A text block of an answer written without Markdown: shown exactly as typed (escaped,
    its line breaks kept), optionally led by a bold label."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    html = "".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in paragraphs)
    if lead:
        html = html.replace("<p>", f"<p><strong>{escape(lead)}.</strong> ", 1)
        text = f"{lead}. {text}"
    return {"type": "text", "text": text, "html": html}


def answer_text(f: Field, text: str, lead: str = "") -> Block:
    if f.markdown:
        return blocks.text(f"**{_md_escape(lead)}.** {text}" if lead else text)
    return plain_text(text, lead)


def _paragraph(ctx: _Ctx, f: Field, value: Any, label: str, level: int = 3) -> list[Block]:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return []
    return [blocks.heading(label, level), answer_text(f, text)]


def _representation(ctx: _Ctx, f: Field, data: Mapping[str, Any], label: str) -> list[Block]:
    """W2.4's descriptive representation: each group's share of the officials (whose group is
    known) beside its share of the residents, and their ratio (1: in proportion)."""
    seats = [s for s in (data.get("seats") or []) if isinstance(s, Mapping)]
    known = [
        s.get("race_ethnicity") for s in seats if s.get("race_ethnicity") not in (None, "not_known")
    ]
    shares = data.get("pop_shares") or {}
    rows = []
    for row in ctx.ws.field("pop_shares").fixed_rows:
        residents = (shares.get(row.key) or {}).get("percent")
        if not known or not isinstance(residents, int | float) or not residents:
            continue
        officials = 100 * known.count(row.key) / len(known)
        rows.append(
            [
                row.label,
                format_value(officials / 100, "share"),
                format_value(residents / 100, "share"),
                format_value(officials / residents, "ratio"),
            ]
        )
    headers = [_("Group"), _("Share of officials"), _("Share of residents"), _("Ratio")]
    return [
        blocks.table(
            headers,
            rows,
            caption=label,
            numeric=[False, True, True, True],
            row_headers=True,
            notes=[_("A ratio of 1 means the group holds seats in proportion to its size.")],
            key=f"{ctx.ws.key}.{f.key}",
        )
    ]


# What the plan prints of a computed read-only field (loader.PRINTED_COMPUTATIONS).
COMPUTED = {"descriptive_representation_ratio": _representation}


def _field_blocks(
    ctx: _Ctx, fields: Iterable[Field], data: Mapping[str, Any], level: int = 3
) -> list[Block]:
    """A record's fields: short answers gathered as facts, long texts as paragraphs, tables
    as tables, checklists as lists, in the order given."""
    fields = list(fields)
    # A worksheet that prints one text prints it under its own heading, not the question's.
    lone = len(fields) == 1
    out: list[Block] = []
    facts: list[tuple[str, str]] = []

    def flush() -> None:
        if facts:
            out.append(blocks.facts(list(facts)))
            facts.clear()

    for f in fields:
        vis = ctx.visible(f.key)
        if ctx.public and vis == INTERNAL:
            continue
        value = data.get(f.key)
        label = ctx.label(f)
        if f.type in SHORT_TYPES:
            text = cell_text(f, value, ctx.lookups)
            facts.append((label if vis == PUBLIC else internal_label(label), text))
            continue
        flush()
        if f.type == "guidance":
            make = COMPUTED.get(f.computed)
            part = make(ctx, f, data, label) if make else []
        elif f.type == "table":
            part = _table_block(ctx, f, value, caption=label, level=level)
        elif f.type == "checklist":
            items = checklist_items(f, value)
            part = [blocks.heading(label, level), blocks.bullets(items)] if items else []
        else:
            part = _paragraph(ctx, f, value, label, level)
            if lone and part:
                part = part[1:]
        part = blocks.clean(part)
        if part and vis == INTERNAL:
            part.insert(0, internal_note())
        out.extend(part)
    flush()
    return out


def _record_title(ctx: _Ctx, record: Mapping[str, Any], fields: Sequence[Field]) -> str:
    key = ctx.ws.present.title
    candidates = [ctx.ws.field(key)] if key else [f for f in fields if f.type in SHORT_TYPES]
    for f in candidates:
        if ctx.public and ctx.visible(f.key) == INTERNAL:
            continue
        if text := cell_text(f, record.get(f.key), ctx.lookups):
            return text
    return ctx.ws.repeats


def default_as(ws: Worksheet, fields: Sequence[Field]) -> str:
    if ws.present.as_:
        return ws.present.as_
    short = all(f.type in SHORT_TYPES for f in fields)
    return "table" if short and len(fields) <= MAX_DEFAULT_COLUMNS else "facts"


def _records_blocks(ctx: _Ctx, data: Mapping[str, Any]) -> list[Block]:
    ws = ctx.ws
    fields = shown_fields(ws, ctx.section_key, ctx.drawn)
    records = [r for r in (data.get("records") or []) if isinstance(r, Mapping)]
    chosen = ctx.chosen()
    kept: list[tuple[Mapping[str, Any], bool]] = []
    for record in records:
        is_chosen = chosen is None or row_id(record) in chosen
        if ctx.public and not is_chosen:
            continue
        kept.append((record, is_chosen))
    if default_as(ws, fields) == "table":
        # The records as the rows of one table: a record's table answers become cells.
        table = {"records": [r for r, _c in kept]}
        pseudo = Field(key="records", type="table", label=ws.repeats, columns=tuple(fields))
        spec = TablePresentation(group_by=ws.present.group_by, labels=ws.present.labels)
        sub = _Ctx(
            ws=_as_table_sheet(ws, pseudo, spec),
            section_key=ctx.section_key,
            audience=ctx.audience,
            pub=_lifted(ctx.pub, ws.key),
            lookups=ctx.lookups,
        )
        out = _table_block(sub, pseudo, table["records"], caption="", choose=False)
        left_out = [_record_title(ctx, r, fields) for r, c in kept if not c]
        if left_out:
            out.append(
                blocks.note(
                    _("Not published (not chosen for this section): %(rows)s")
                    % {"rows": "; ".join(left_out)}
                )
            )
        return out
    out = []
    paragraphs = default_as(ws, fields) == "paragraphs"
    for record, is_chosen in kept:
        part: list[Block] = [blocks.heading(_record_title(ctx, record, fields), 3)]
        if not is_chosen:
            part.append(
                blocks.note(_("Internal: not chosen for this section. Not published."), "warning")
            )
        body = [f for f in fields if f.key != ws.present.title]
        if paragraphs:
            for f in body:
                vis = ctx.visible(f.key)
                if ctx.public and vis == INTERNAL:
                    continue
                if f.type == "long_text":
                    text = str(record.get(f.key) or "").strip()
                else:
                    text = cell_text(f, record.get(f.key), ctx.lookups)
                label = ctx.label(f) if vis == PUBLIC else internal_label(ctx.label(f))
                if text:
                    part.append(answer_text(f, text, lead=label))
        else:
            part.extend(_field_blocks(ctx, body, record, level=4))
        out.extend(blocks.clean(part))
    return out


def _md_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]#<>" else c for c in text)


def _as_table_sheet(ws: Worksheet, table: Field, spec: TablePresentation) -> Worksheet:
    """The repeating worksheet seen as one table field ``records`` (for ``_table_block``)."""
    from dataclasses import replace

    present = replace(ws.present, tables={"records": spec})
    return replace(ws, fields=(table,), present=present)


def _lifted(pub: Publication, worksheet_key: str) -> Publication:
    """The coalition's visibility of a repeating worksheet's fields, read as the columns of
    its ``records`` table."""
    prefix = f"{worksheet_key}."
    lifted = {
        f"{worksheet_key}.records.{k[len(prefix) :]}": v
        for k, v in pub.visibility.items()
        if k.startswith(prefix)
    }
    return Publication(lifted, {})


def worksheet_blocks(
    ws: Worksheet,
    data: Mapping[str, Any],
    *,
    section_key: str,
    audience: str,
    publication: Publication,
    lookups: Lookups,
    drawn: Sequence[str] = (),
) -> list[Block]:
    """One worksheet's shared answers as this section prints them, under its heading."""
    ctx = _Ctx(ws, section_key, audience, publication, lookups, drawn)
    if ws.repeats:
        body = _records_blocks(ctx, data)
    else:
        body = _field_blocks(ctx, shown_fields(ws, section_key, drawn), data)
    body = blocks.clean(body)
    if not body or all(b["type"] == "note" for b in body):
        return []
    return [blocks.heading(ws.present.heading or ws.title, 2), *body]


def section_blocks(
    coalition: Any,
    worksheet_keys: Iterable[str],
    *,
    section_key: str,
    audience: str,
    publication: Publication | None = None,
    lookups: Lookups | None = None,
    drawn: Sequence[str] = (),
) -> list[Block]:
    """The blocks of every worksheet feeding a section. Members' own (individual) worksheets
    never print: only the coalition's shared answers. ``drawn``: the section's record
    providers that printed something (``plans.map.document``)."""
    from plans.map.selectors import publication_for
    from plans.selectors import member_names, metric_catalog, shared_response

    publication = publication if publication is not None else publication_for(coalition)
    lookups = lookups or Lookups(member_names(coalition), metric_catalog())
    out: list[Block] = []
    for key in worksheet_keys:
        ws = definitions.worksheet(key)
        if ws.filled_by.mode != "coalition":
            continue
        response = shared_response(coalition, key)
        if response is None or not response.data:
            continue
        out.extend(
            worksheet_blocks(
                ws,
                response.data,
                section_key=section_key,
                audience=audience,
                publication=publication,
                lookups=lookups,
                drawn=drawn,
            )
        )
    return out


# --- what a project manager chooses from ---------------------------------------------------------


@dataclass
class FieldRow:
    """One field (or table column) of a feeding worksheet on the publication page and API."""

    worksheet: str
    path: str  # "field" or "field.column"
    label: str
    default: str
    visibility: str
    is_column: bool = False

    @property
    def changed(self) -> bool:
        return self.visibility != self.default


@dataclass
class RowChoice:
    id: str
    text: str
    chosen: bool


@dataclass
class ChoiceGroup:
    """The rows of one table (or the records of a repeating worksheet) a section may publish."""

    worksheet: str
    field: str  # "" for the records of a repeating worksheet
    label: str
    all_rows: bool
    rows: list[RowChoice]


def field_rows(ws: Worksheet, section_key: str, pub: Publication) -> list[FieldRow]:
    rows = []
    for f in shown_fields(ws, section_key):
        rows.append(FieldRow(ws.key, f.key, f.label, f.visibility, visibility(ws, pub, f.key)))
        if f.type == "table":
            spec = ws.present.tables.get(f.key)
            for c in table_columns(f, spec):
                rows.append(
                    FieldRow(
                        ws.key,
                        f"{f.key}.{c.key}",
                        c.label,
                        default_visibility(ws, f.key, c.key),
                        visibility(ws, pub, f.key, c.key),
                        is_column=True,
                    )
                )
    return rows


def choice_groups(
    ws: Worksheet, data: Mapping[str, Any], section_key: str, pub: Publication, lookups: Lookups
) -> list[ChoiceGroup]:
    groups = []

    def group(field_key: str, label: str, items: list[tuple[str, str]]) -> None:
        chosen = pub.chosen.get(choice_key(section_key, ws.key, field_key))
        groups.append(
            ChoiceGroup(
                ws.key,
                field_key,
                label,
                chosen is None,
                [RowChoice(rid, text, chosen is None or rid in chosen) for rid, text in items],
            )
        )

    fields = shown_fields(ws, section_key)
    if ws.repeats:
        records = [r for r in (data.get("records") or []) if isinstance(r, Mapping)]
        ctx = _Ctx(ws, section_key, INTERNAL, pub, lookups)
        items = [(row_id(r), _record_title(ctx, r, fields)) for r in records]
        if items:
            group("", ws.repeats, items)
        return groups
    for f in fields:
        if f.type != "table":
            continue
        items = []
        for rid, cells in _raw_rows(f, data.get(f.key)):
            texts = [cell_text(c, cells.get(c.key), lookups) for c in f.columns]
            if f.fixed_rows:
                texts.insert(0, next(r.label for r in f.fixed_rows if r.key == rid))
            items.append((rid, " · ".join(t for t in texts[:3] if t)))
        if items:
            group(f.key, f.label, items)
    return groups


def row_ids(ws: Worksheet, data: Mapping[str, Any], field_key: str) -> set[str]:
    """The ids of a table's rows (or of a repeating worksheet's records) as they stand."""
    if not field_key:
        return {row_id(r) for r in (data.get("records") or []) if isinstance(r, Mapping)}
    return {rid for rid, _cells in _raw_rows(ws.field(field_key), data.get(field_key))}

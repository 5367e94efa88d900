"""Reading and checking the content files in ``plans/data/``.

Every problem found is collected and reported together, each line naming the file, the
worksheet and the field, so that someone correcting a prompt sees everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from core.content_translation import SOURCE_LANGUAGE, Loader, Report, load_translated
from metrics.catalog import SLUG, Catalog  # pillar and predictor keys are the catalog's
from plans.content import (
    APP_ROLES,
    COMPUTATIONS,
    DATA_DIR,
    FIELD_TYPES,
    GUIDE_ROLES,
    KEY,
    MAP_KEY,
    MODES,
    NON_CELL_TYPES,
    PRESENT_AS,
    PROVENANCE,
    REFERENCE_TYPES,
    SECTION_RECORDS,
    SUPERSEDING_RECORDS,
    VISIBILITIES,
    WORKSHEET_KEY,
    WORKSHEET_ROLES,
    ActorType,
    ChecklistItem,
    DefinitionError,
    Definitions,
    Dimension,
    Field,
    FilledBy,
    Framework,
    MapSection,
    Option,
    Pillar,
    Predictor,
    Presentation,
    Principle,
    ScalePoint,
    Step,
    TablePresentation,
    Worksheet,
)

DEFAULT_LIMITS = {"long_text": 10_000, "short_text": 200}
DEFAULT_MAX_ROWS = 50
DEFAULT_FILE_MB = 20
# A field's visibility when its definition does not say: answers naming coalition members are
# about individual people and stay internal; everything else may appear in the plan.
INTERNAL_BY_DEFAULT = frozenset({"person"})

_COMMON = {
    "key",
    "type",
    "label",
    "help",
    "required",
    "provenance",
    "feeds",
    "process",
    "placeholder",
    "links_to",
    "superseded_by",
    "prefill",
    "visibility",
}
_ALLOWED = {
    "long_text": {"markdown", "max_length"},
    "short_text": {"max_length"},
    "number": {"min", "max", "integer", "unit"},
    "percent": {"min", "max"},
    "date": set(),
    "url": set(),
    "file": {"accept", "max_size_mb"},
    "person": {"multiple"},
    "organisation": {"multiple"},
    "choice": {"options", "options_from"},
    "multi_choice": {"options", "options_from", "max_selected"},
    "rating": {"scale", "dont_know"},
    "table": {"columns", "fixed_rows", "row_header", "max_rows"},
    "checklist": {"items", "note"},
    "predictor": {"multiple"},
    "pillar": {"multiple"},
    "metric": {"multiple"},
    "guidance": {"text", "computed"},
}
# --- loading -------------------------------------------------------------------------------


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _read_yaml(path: Path, problems: _Problems, language: str = SOURCE_LANGUAGE) -> Any:
    """The file's content, its texts in ``language`` where translated (English otherwise)."""
    try:
        if language != SOURCE_LANGUAGE:
            return load_translated(path, language)[0]
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=Loader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        problems.add(path.name, "file is missing")
    except yaml.YAMLError as exc:
        problems.add(path.name, f"is not valid YAML ({exc})")
    return None


def _check_keys(raw: Mapping, allowed: set[str], where: str, problems: _Problems) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        problems.add(where, f"unknown setting(s) {', '.join(unknown)}")


def _text(raw: Mapping, name: str, where: str, problems: _Problems, *, required=True) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            problems.add(where, f"'{name}' is missing")
        return ""
    if not isinstance(value, str):
        problems.add(where, f"'{name}' must be text")
        return ""
    return value.strip()


def _key(raw: Mapping, where: str, problems: _Problems, pattern=KEY) -> str:
    key = raw.get("key")
    if not isinstance(key, str) or not pattern.match(key):
        allowed = "-" if pattern is SLUG else "_"
        problems.add(
            where, f"key {key!r} is not a valid key (lower case letters, digits, {allowed})"
        )
        return str(key)
    return key


def _provenance(raw: Mapping, where: str, problems: _Problems, *, required=False) -> str:
    tag = raw.get("provenance")
    if tag is None:
        if required:
            problems.add(where, "'provenance' is missing (V-guide, V-toolkit, R-toc, R, ...)")
        return ""
    if not isinstance(tag, str) or not PROVENANCE.match(tag):
        problems.add(where, f"provenance {tag!r} is not a known tag")
        return ""
    return tag


def _unique(keys: Iterable[str], what: str, where: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            problems.add(where, f"duplicate {what} {k!r}")
        seen.add(k)


def _options(raw: Any, what: str, where: str, problems: _Problems) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add(where, f"needs a non-empty list of {what}")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        here = f"{where} › {what} {i}"
        if not isinstance(item, Mapping):
            problems.add(here, "must be a mapping with key and label")
            continue
        _check_keys(item, {"key", "label", "help"}, here, problems)
        out.append(
            Option(
                _key(item, here, problems),
                _text(item, "label", here, problems),
                _text(item, "help", here, problems, required=False),
            )
        )
    _unique((o.key for o in out), what[:-1] if what.endswith("s") else what, where, problems)
    return tuple(out)


def _number(raw: Mapping, name: str, where: str, problems: _Problems) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(where, f"'{name}' must be a number")
        return None
    return value


def _positive_int(raw: Mapping, name: str, where: str, problems: _Problems) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(where, f"'{name}' must be a whole number of at least 1")
        return None
    return value


def _flag(raw: Mapping, name: str, where: str, problems: _Problems) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        problems.add(where, f"'{name}' must be true or false")
        return False
    return value


def _str_list(raw: Mapping, name: str, where: str, problems: _Problems) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, f"'{name}' must be a list of text")
        return ()
    return tuple(value)


def _parse_field(raw: Any, where: str, problems: _Problems, *, in_table=False) -> Field | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "a field must be a mapping")
        return None
    key = _key(raw, where, problems)
    where = f"{where} › {key}"
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        problems.add(where, f"unknown field type {ftype!r} (known: {', '.join(FIELD_TYPES)})")
        return None
    if in_table and ftype in NON_CELL_TYPES:
        problems.add(where, f"a table column cannot be of type {ftype!r}")
        return None
    _check_keys(raw, _COMMON | _ALLOWED[ftype], where, problems)
    kw: dict[str, Any] = {
        "key": key,
        "type": ftype,
        "label": _text(raw, "label", where, problems),
        "help": _text(raw, "help", where, problems, required=False),
        "required": _flag(raw, "required", where, problems),
        "provenance": _provenance(raw, where, problems),
        "feeds": _str_list(raw, "feeds", where, problems),
        "process": _flag(raw, "process", where, problems),
        "placeholder": _text(raw, "placeholder", where, problems, required=False),
        "links_to": _text(raw, "links_to", where, problems, required=False),
        "superseded_by": _text(raw, "superseded_by", where, problems, required=False),
        "prefill": _text(raw, "prefill", where, problems, required=False),
    }
    kw["visibility"] = _visibility(raw, ftype, where, problems)
    if kw["superseded_by"] and kw["superseded_by"] not in SUPERSEDING_RECORDS:
        known = ", ".join(SUPERSEDING_RECORDS)
        problems.add(where, f"unknown superseded_by {kw['superseded_by']!r} (known: {known})")
    if kw["superseded_by"] and (in_table or ftype == "guidance"):
        problems.add(where, "only a worksheet's answer can be superseded_by records")
    if kw["prefill"] and kw["prefill"] not in COMPUTATIONS:
        problems.add(where, f"unknown prefill {kw['prefill']!r}")
    kw.update(_parse_specific(ftype, raw, where, problems))
    return Field(**kw)


def _visibility(raw: Mapping, ftype: str, where: str, problems: _Problems) -> str:
    value = raw.get("visibility")
    if value is None:
        return "internal" if ftype in INTERNAL_BY_DEFAULT else "public"
    if value not in VISIBILITIES:
        problems.add(where, f"visibility {value!r} must be one of {', '.join(VISIBILITIES)}")
        return "internal"
    return value


def _parse_specific(ftype: str, raw: Mapping, where: str, problems: _Problems) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if ftype in ("long_text", "short_text"):
        kw["max_length"] = (
            _positive_int(raw, "max_length", where, problems) or DEFAULT_LIMITS[ftype]
        )
        if ftype == "long_text":
            if "markdown" not in raw:
                problems.add(where, "long_text needs 'markdown: true' or 'markdown: false'")
            kw["markdown"] = _flag(raw, "markdown", where, problems)
    elif ftype in ("number", "percent"):
        lo, hi = _number(raw, "min", where, problems), _number(raw, "max", where, problems)
        if ftype == "percent":
            lo, hi = (0 if lo is None else lo), (100 if hi is None else hi)
            if lo < 0 or hi > 100:
                problems.add(where, "a percent must stay between 0 and 100")
        if lo is not None and hi is not None and lo > hi:
            problems.add(where, f"min {lo} is greater than max {hi}")
        kw.update(min=lo, max=hi)
        if ftype == "number":
            kw.update(integer=_flag(raw, "integer", where, problems))
            kw.update(unit=_text(raw, "unit", where, problems, required=False))
    elif ftype == "file":
        accept = _str_list(raw, "accept", where, problems)
        kw["accept"] = tuple(a.lower().lstrip(".") for a in accept)
        kw["max_size_mb"] = _positive_int(raw, "max_size_mb", where, problems) or DEFAULT_FILE_MB
    elif ftype in REFERENCE_TYPES:
        kw["multiple"] = _flag(raw, "multiple", where, problems)
    elif ftype in ("choice", "multi_choice"):
        kw.update(_parse_choice(raw, where, problems))
        if ftype == "multi_choice":
            kw["max_selected"] = _positive_int(raw, "max_selected", where, problems)
    elif ftype == "rating":
        kw["scale"] = _parse_scale(raw.get("scale"), where, problems)
        kw["dont_know"] = _flag(raw, "dont_know", where, problems)
    elif ftype == "table":
        kw.update(_parse_table(raw, where, problems))
    elif ftype == "checklist":
        kw["items"] = _options(raw.get("items"), "items", where, problems)
        kw["note"] = _flag(raw, "note", where, problems)
    elif ftype == "guidance":
        kw["computed"] = _text(raw, "computed", where, problems, required=False)
        kw["text"] = _text(raw, "text", where, problems, required=not kw["computed"])
        if kw["computed"] and kw["computed"] not in COMPUTATIONS:
            problems.add(where, f"unknown computed value {kw['computed']!r}")
    return kw


def _parse_choice(raw: Mapping, where: str, problems: _Problems) -> dict[str, Any]:
    if "options_from" in raw:
        if "options" in raw:
            problems.add(where, "give either 'options' or 'options_from', not both")
        source = raw["options_from"]
        if not isinstance(source, str):
            problems.add(where, "'options_from' must name a list")
            source = ""
        return {"options_from": source}  # resolved once the framework is loaded
    if "options" not in raw:
        problems.add(where, "a choice field needs 'options' (or 'options_from')")
        return {}
    opts = _options(raw["options"], "options", where, problems)
    if len(opts) == 1:
        problems.add(where, "a choice needs at least two options")
    return {"options": opts}


def _parse_scale(raw: Any, where: str, problems: _Problems) -> tuple[ScalePoint, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.add(where, "a rating needs a 'scale' of at least two points")
        return ()
    points = []
    for i, item in enumerate(raw, 1):
        here = f"{where} › scale point {i}"
        if not isinstance(item, Mapping) or isinstance(item.get("value"), bool):
            problems.add(here, "must have a whole-number value and a label")
            continue
        _check_keys(item, {"value", "label"}, here, problems)
        if not isinstance(item.get("value"), int):
            problems.add(here, "value must be a whole number")
            continue
        points.append(ScalePoint(item["value"], _text(item, "label", here, problems)))
    _unique((str(p.value) for p in points), "scale value", where, problems)
    return tuple(points)


def _parse_table(raw: Mapping, where: str, problems: _Problems) -> dict[str, Any]:
    cols_raw = raw.get("columns")
    if not isinstance(cols_raw, list) or not cols_raw:
        problems.add(where, "a table needs a non-empty list of 'columns'")
        cols_raw = []
    columns = [_parse_field(c, where, problems, in_table=True) for c in cols_raw]
    kw: dict[str, Any] = {"columns": tuple(c for c in columns if c)}
    _unique((c.key for c in kw["columns"]), "column", where, problems)
    if "fixed_rows" in raw:
        kw["fixed_rows"] = _options(raw["fixed_rows"], "fixed_rows", where, problems)
        kw["row_header"] = _text(raw, "row_header", where, problems)
        if "max_rows" in raw:
            problems.add(where, "a table with fixed_rows cannot also set max_rows")
    else:
        kw["max_rows"] = _positive_int(raw, "max_rows", where, problems) or DEFAULT_MAX_ROWS
    return kw


def _parse_filled_by(raw: Any, where: str, problems: _Problems) -> FilledBy:
    if not isinstance(raw, Mapping):
        problems.add(where, "'filled_by' must give mode and roles")
        return FilledBy("coalition", ())
    _check_keys(
        raw, {"mode", "roles", "guide_roles", "sharing_setting", "compiled_in"}, where, problems
    )
    mode = raw.get("mode")
    if mode not in MODES:
        problems.add(where, f"filled_by mode {mode!r} must be one of {', '.join(MODES)}")
    roles = _str_list(raw, "roles", where, problems)
    if not roles:
        problems.add(where, "filled_by needs at least one role")
    for r in roles:
        if r not in APP_ROLES:
            problems.add(where, f"unknown role {r!r} (known: {', '.join(APP_ROLES)})")
    guide_roles = _str_list(raw, "guide_roles", where, problems)
    for r in guide_roles:
        if r not in GUIDE_ROLES:
            problems.add(where, f"unknown guide role {r!r}")
    sharing = _text(raw, "sharing_setting", where, problems, required=False)
    compiled_in = _text(raw, "compiled_in", where, problems, required=False)
    if (sharing or compiled_in) and mode != "individual":
        problems.add(where, "sharing_setting and compiled_in apply to individual worksheets only")
    return FilledBy(str(mode), roles, guide_roles, sharing, compiled_in)


def _check_individual_links(sheet: Worksheet, by_key: Mapping[str, Worksheet], where, problems):
    fb = sheet.filled_by
    if fb.compiled_in:
        target = by_key.get(fb.compiled_in)
        if target is None or target.filled_by.mode != "coalition":
            problems.add(where, f"compiled_in {fb.compiled_in!r} is not a coalition worksheet")
    if fb.sharing_setting:
        sheet_key, _, field_key = fb.sharing_setting.partition(".")
        target = by_key.get(sheet_key)
        setting = next((f for f in target.fields if f.key == field_key), None) if target else None
        if setting is None or setting.type != "choice":
            problems.add(
                where,
                f"sharing_setting {fb.sharing_setting!r} must name a choice field "
                "as worksheet.field",
            )


_WORKSHEET_KEYS = {
    "key",
    "number",
    "title",
    "provenance",
    "optional",
    "filled_by",
    "intro",
    "feeds",
    "repeats",
    "extends",
    "record",
    "omit",
    "override",
    "fields_first",
    "fields",
    "role",
    "present",
}


def _parse_worksheet(raw: Any, step: int, where: str, problems: _Problems) -> dict | None:
    """Parse one worksheet; fields of a base worksheet are merged in later by ``_apply_extends``."""
    if not isinstance(raw, Mapping):
        problems.add(where, "a worksheet must be a mapping")
        return None
    key = _key(raw, where, problems, WORKSHEET_KEY)
    where = f"{where} › {key}"
    _check_keys(raw, _WORKSHEET_KEYS, where, problems)
    m = WORKSHEET_KEY.match(key)
    if m and int(m.group(1)) != step:
        problems.add(where, f"worksheet key belongs to step {m.group(1)}, not step {step}")
    number = str(raw.get("number", ""))
    if m and number != f"{m.group(1)}.{m.group(2)}":
        problems.add(where, f"number {number!r} does not match the key")
    fields_raw = raw.get("fields", [])
    if not isinstance(fields_raw, list):
        problems.add(where, "'fields' must be a list")
        fields_raw = []
    if not fields_raw and not raw.get("extends"):
        problems.add(where, "a worksheet needs at least one field")
    fields = [_parse_field(f, where, problems) for f in fields_raw]
    return {
        "key": key,
        "number": number,
        "title": _text(raw, "title", where, problems),
        "step": step,
        "provenance": _provenance(raw, where, problems, required=True),
        "filled_by": _parse_filled_by(raw.get("filled_by"), where, problems),
        "intro": _text(raw, "intro", where, problems),
        "feeds": _str_list(raw, "feeds", where, problems),
        "fields": tuple(f for f in fields if f),
        "optional": _flag(raw, "optional", where, problems),
        "repeats": _text(raw, "repeats", where, problems, required=False),
        "extends": _text(raw, "extends", where, problems, required=False),
        "role": _text(raw, "role", where, problems, required=False),
        "_omit": _str_list(raw, "omit", where, problems),
        "_override": raw.get("override") or {},
        "_first": _str_list(raw, "fields_first", where, problems),
        "_present": raw.get("present"),
        "_where": where,
    }


def _valid_override(changes: Any) -> bool:
    if not isinstance(changes, Mapping) or set(changes) - {"label", "help", "required"}:
        return False
    texts_ok = all(
        isinstance(changes[k], str) and changes[k] for k in ("label", "help") if k in changes
    )
    return texts_ok and isinstance(changes.get("required", False), bool)


def _apply_extends(sheets: dict[str, dict], problems: _Problems) -> None:
    """Give each extending worksheet its base's fields (minus ``omit``, with ``override``).

    The worksheet's own fields follow the inherited ones, except those named in
    ``fields_first``, which lead.
    """
    for sheet in sheets.values():
        base_key, where = sheet["extends"], sheet["_where"]
        if not base_key:
            if sheet["_omit"] or sheet["_override"] or sheet["_first"]:
                problems.add(
                    where, "'omit', 'override' and 'fields_first' only make sense with 'extends'"
                )
            continue
        base = sheets.get(base_key)
        if base is None:
            problems.add(where, f"extends unknown worksheet {base_key!r}")
            continue
        if base["extends"]:
            problems.add(where, f"extends {base_key}, which itself extends another worksheet")
            continue
        # An inherited field feeds only the sections its new worksheet feeds.
        inherited = {
            f.key: replace(f, feeds=tuple(m for m in f.feeds if m in sheet["feeds"]))
            for f in base["fields"]
        }
        for k in sheet["_omit"]:
            if inherited.pop(k, None) is None:
                problems.add(where, f"omits {k!r}, which {base_key} does not have")
        overrides = sheet["_override"]
        if not isinstance(overrides, Mapping):
            problems.add(where, "'override' must map field keys to new label/help/required")
            overrides = {}
        for k, changes in overrides.items():
            if k not in inherited:
                problems.add(where, f"overrides {k!r}, which {base_key} does not have (or omits)")
                continue
            if not _valid_override(changes):
                problems.add(
                    where, f"override of {k!r} may only change label and help (text), required"
                )
                continue
            inherited[k] = replace(inherited[k], **changes)
        own = {f.key: f for f in sheet["fields"]}
        for k in sheet["_first"]:
            if k not in own:
                problems.add(where, f"fields_first names {k!r}, which is not one of its own fields")
        first = tuple(own[k] for k in sheet["_first"] if k in own)
        rest = tuple(f for f in sheet["fields"] if f.key not in sheet["_first"])
        sheet["fields"] = first + tuple(inherited.values()) + rest


def _resolve_options(field_: Field, lists: Mapping[str, tuple[Option, ...]], where, problems):
    if field_.type in ("choice", "multi_choice") and field_.options_from:
        opts = lists.get(field_.options_from)
        if opts is None:
            problems.add(
                f"{where} › {field_.key}",
                f"options_from {field_.options_from!r} is not a known list "
                f"(known: {', '.join(sorted(lists))})",
            )
            return field_
        field_ = replace(field_, options=opts)
    if field_.type == "table":
        cols = tuple(
            _resolve_options(c, lists, f"{where} › {field_.key}", problems) for c in field_.columns
        )
        field_ = replace(field_, columns=cols)
    return field_


def _parse_step(raw: Any, path: Path, problems: _Problems) -> tuple[dict, list[dict]] | None:
    where = path.name
    if not isinstance(raw, Mapping):
        problems.add(where, "a step file must be a mapping")
        return None
    _check_keys(
        raw,
        {"number", "title", "provenance", "pages", "purpose", "guidance", "sections", "feeds",
         "worksheets", "checklist"},
        where,
        problems,
    )  # fmt: skip
    number = raw.get("number")
    if isinstance(number, bool) or not isinstance(number, int):
        problems.add(where, "'number' must be a whole number")
        number = 0
    elif path.stem != f"step{number:02}":
        problems.add(where, f"holds step {number}; name the file step{number:02}.yaml")
    sheets_raw = raw.get("worksheets")
    if not isinstance(sheets_raw, list) or not sheets_raw:
        problems.add(where, "a step needs at least one worksheet")
        sheets_raw = []
    sheets = [_parse_worksheet(w, number, where, problems) for w in sheets_raw]
    checklist = raw.get("checklist")
    if not isinstance(checklist, Mapping):
        problems.add(where, "'checklist' must give provenance and items")
        checklist = {}
    _check_keys(checklist, {"provenance", "items"}, f"{where} › checklist", problems)
    step = {
        "number": number,
        "title": _text(raw, "title", where, problems),
        "provenance": _provenance(raw, where, problems, required=True),
        "pages": str(raw.get("pages", "")),
        "purpose": _text(raw, "purpose", where, problems),
        "guidance": _text(raw, "guidance", where, problems),
        "sections": _str_list(raw, "sections", where, problems),
        "feeds": _str_list(raw, "feeds", where, problems),
        "checklist": tuple(
            ChecklistItem(o.key, o.label)
            for o in _options(checklist.get("items"), "items", f"{where} › checklist", problems)
        ),
        "checklist_provenance": _provenance(checklist, f"{where} › checklist", problems),
        "_where": where,
    }
    return step, [s for s in sheets if s]


def _parse_framework(raw: Any, options_raw: Any, problems: _Problems) -> Framework:
    where = "framework.yaml"
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a mapping")
        raw = {}
    _check_keys(
        raw,
        {"dimensions", "racial_equity", "pillars", "principles", "actor_types"},
        where,
        problems,
    )

    def entries(name: str) -> list[Mapping]:
        value = raw.get(name)
        if not isinstance(value, list) or not value:
            problems.add(where, f"'{name}' must be a non-empty list")
            return []
        return [v for v in value if isinstance(v, Mapping)]

    dims = tuple(
        Dimension(
            _key(d, f"{where} › dimensions", problems),
            _text(d, "name", f"{where} › dimensions", problems),
            _text(d, "guide_name", f"{where} › dimensions", problems),
            _text(d, "description", f"{where} › dimensions", problems),
        )
        for d in entries("dimensions")
    )
    pillars = []
    for p in entries("pillars"):
        here = f"{where} › pillars › {p.get('key')}"
        key = _key(p, here, problems, SLUG)
        preds = tuple(
            Predictor(
                _key(q, here, problems, SLUG),
                _text(q, "name", here, problems),
                key,
                _str_list(q, "aliases", here, problems),
            )
            for q in p.get("predictors") or []
            if isinstance(q, Mapping)
        )
        if not preds:
            problems.add(here, "a pillar needs its predictors")
        pillars.append(
            Pillar(
                key,
                _text(p, "name", here, problems),
                _text(p, "description", here, problems),
                preds,
            )
        )
    principles = tuple(
        Principle(
            _key(p, f"{where} › principles", problems),
            _text(p, "name", f"{where} › principles", problems),
            _text(p, "description", f"{where} › principles", problems),
        )
        for p in entries("principles")
    )
    actors = tuple(
        ActorType(
            _key(a, f"{where} › actor_types", problems),
            _text(a, "name", f"{where} › actor_types", problems),
            _text(a, "toolkit_name", f"{where} › actor_types", problems),
            _text(a, "role", f"{where} › actor_types", problems),
        )
        for a in entries("actor_types")
    )
    fw = Framework(
        dims, _text(raw, "racial_equity", where, problems), tuple(pillars), principles, actors
    )
    _unique((p.key for p in fw.pillars), "pillar", where, problems)
    _unique((p.key for p in fw.predictors), "predictor", where, problems)
    for name, group in (("dimension", dims), ("principle", principles), ("actor type", actors)):
        _unique((g.key for g in group), name, where, problems)

    lists: dict[str, tuple[Option, ...]] = {
        "dimensions": tuple(Option(d.key, d.name) for d in dims),
        "principles": tuple(Option(p.key, p.name) for p in principles),
        "actor_types": tuple(Option(a.key, a.name) for a in actors),
    }
    if not isinstance(options_raw, Mapping):
        problems.add("options.yaml", "must map list names to options")
        options_raw = {}
    for name, opts in options_raw.items():
        if name in lists:
            problems.add("options.yaml", f"list {name!r} clashes with a framework list")
        lists[name] = _options(opts, "options", f"options.yaml › {name}", problems)
    return replace(fw, option_lists=lists)


def framework_catalog_problems(framework: Framework, catalog: Catalog) -> list[str]:
    """Where the guide's framework and the metrics catalog disagree (empty when they agree).

    Both files exist on purpose: the guide keeps the framework page's names, order and words,
    the catalog Urban's data names. Keys, each predictor's pillar and the pillar names must be
    the same, and a predictor's catalog name must be its guide name or one of its aliases.
    """
    problems = []
    ours = {p.key: p for p in framework.pillars}
    theirs = {p.slug: p for p in catalog.pillars}
    if list(ours) != list(theirs):
        problems.append(f"pillars {list(ours)} are not the catalog's {list(theirs)}")
    for key in ours.keys() & theirs.keys():
        mine, urbans = ours[key], theirs[key]
        if mine.name != urbans.name:
            problems.append(f"pillar {key!r} is {mine.name!r}, the catalog {urbans.name!r}")
        keys, slugs = {q.key for q in mine.predictors}, {q.slug for q in urbans.predictors}
        if keys != slugs:
            problems.append(f"pillar {key!r} has {sorted(keys)}, the catalog {sorted(slugs)}")
    guide = {q.key: q for q in framework.predictors}
    for predictor in catalog.predictors:
        guide_predictor = guide.get(predictor.slug)
        if guide_predictor and predictor.name not in (
            guide_predictor.name,
            *guide_predictor.aliases,
        ):
            problems.append(
                f"predictor {predictor.slug!r}: the catalog's name {predictor.name!r} is"
                " neither its name nor an alias"
            )
    return problems


def _parse_map_sections(raw: Any, problems: _Problems) -> tuple[MapSection, ...]:
    where = "map_sections.yaml"
    if not isinstance(raw, list) or not raw:
        problems.add(where, "must be a non-empty list of sections")
        return ()
    sections = []
    for i, s in enumerate(raw):
        if not isinstance(s, Mapping):
            problems.add(where, f"section {i} must be a mapping")
            continue
        key = str(s.get("key"))
        here = f"{where} › {key}"
        _check_keys(
            s, {"key", "title", "provenance", "contains", "fed_by", "shows"}, here, problems
        )
        shows = _str_list(s, "shows", here, problems)
        for name in sorted(set(shows) - set(SECTION_RECORDS)):
            problems.add(here, f"shows {name!r}, which is none of {', '.join(SECTION_RECORDS)}")
        m = MAP_KEY.match(key)
        if not m or int(m.group(1)) != i:
            problems.add(here, f"expected section M{i} here (sections are listed in order)")
        sections.append(
            MapSection(
                key,
                i,
                _text(s, "title", here, problems),
                _provenance(s, here, problems, required=True),
                _text(s, "contains", here, problems),
                _str_list(s, "fed_by", here, problems),
                shows,
            )
        )
    return tuple(sections)


def _finalise_field(f: Field, where: str, ctx: dict, problems: _Problems) -> Field:
    f = _resolve_options(f, ctx["lists"], where, problems)
    here = f"{where} › {f.key}"
    for m in f.feeds:
        if m not in ctx["map_keys"]:
            problems.add(here, f"feeds MAP section {m!r}, which does not exist")
    if f.links_to and f.links_to not in ctx["sheet_keys"]:
        problems.add(here, f"links_to unknown worksheet {f.links_to!r}")
    for c in f.columns:
        if c.links_to and c.links_to not in ctx["sheet_keys"]:
            problems.add(f"{here} › {c.key}", f"links_to unknown worksheet {c.links_to!r}")
    return f


_PRESENT_KEYS = {"heading", "show", "labels", "tables", "as", "title", "group_by", "printed_by"}
# What the plan never prints: the form's guidance and uploaded files (a file name says nothing
# to a reader).
UNPRINTED_TYPES = frozenset({"guidance", "file"})
# Computed values the plan prints (plans.map.presentation.COMPUTED).
PRINTED_COMPUTATIONS = frozenset({"descriptive_representation_ratio"})


def _names(raw: Mapping, name: str, known: Mapping[str, Field], where, problems) -> tuple:
    """A list of field (or column) keys, each of which must exist and print."""
    keys = _str_list(raw, name, where, problems)
    for k in keys:
        if k not in known:
            problems.add(where, f"'{name}' names {k!r}, which is not one of {', '.join(known)}")
    _unique(keys, name.rstrip("s"), where, problems)
    return tuple(k for k in keys if k in known)


def _labels(raw: Mapping, known: Mapping[str, Field], where, problems) -> dict[str, str]:
    labels = raw.get("labels") or {}
    if not isinstance(labels, Mapping):
        problems.add(where, "'labels' must map keys to the reader's words")
        return {}
    out = {}
    for k, v in labels.items():
        if k not in known:
            problems.add(where, f"'labels' names {k!r}, which is not one of {', '.join(known)}")
        elif not isinstance(v, str) or not v.strip():
            problems.add(where, f"the label of {k!r} must be text")
        else:
            out[k] = v.strip()
    return out


def _one_name(raw: Mapping, name: str, known: Mapping[str, Field], where, problems) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if value not in known:
        problems.add(where, f"'{name}' {value!r} is not one of {', '.join(known)}")
        return ""
    return str(value)


def _parse_table_present(raw: Any, table: Field, where: str, problems: _Problems):
    where = f"{where} › {table.key}"
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a mapping (columns, group_by, labels)")
        return TablePresentation()
    _check_keys(raw, {"columns", "group_by", "labels"}, where, problems)
    known = {c.key: c for c in table.columns}
    return TablePresentation(
        columns=_names(raw, "columns", known, where, problems),
        group_by=_one_name(raw, "group_by", known, where, problems),
        labels=_labels(raw, known, where, problems),
    )


def _parse_present(raw: Any, fields, repeats: bool, where: str, problems) -> Presentation:
    """A worksheet's ``present:``, checked against its (final) fields."""
    if raw is None:
        return Presentation()
    where = f"{where} › present"
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a mapping")
        return Presentation()
    _check_keys(raw, _PRESENT_KEYS, where, problems)
    # A computed read-only value is a finding and may print; the form's other guidance not.
    known = {
        f.key: f
        for f in fields
        if (f.type not in UNPRINTED_TYPES or f.computed in PRINTED_COMPUTATIONS) and not f.process
    }
    as_ = raw.get("as", "")
    if as_ and as_ not in PRESENT_AS:
        problems.add(where, f"'as' {as_!r} must be one of {', '.join(PRESENT_AS)}")
        as_ = ""
    if not repeats:
        for name in ("as", "title", "group_by"):
            if name in raw:
                problems.add(where, f"'{name}' applies to repeating worksheets only")
    tables_raw = raw.get("tables") or {}
    if not isinstance(tables_raw, Mapping):
        problems.add(where, "'tables' must map table fields to their presentation")
        tables_raw = {}
    tables = {}
    for key, spec in tables_raw.items():
        f = known.get(key)
        if f is None or f.type != "table":
            problems.add(where, f"'tables' names {key!r}, which is not a table of this worksheet")
            continue
        tables[key] = _parse_table_present(spec, f, where, problems)
    printed_by = _text(raw, "printed_by", where, problems, required=False)
    if printed_by and printed_by not in SECTION_RECORDS:
        known_records = ", ".join(SECTION_RECORDS)
        problems.add(where, f"printed_by {printed_by!r} is none of {known_records}")
    return Presentation(
        printed_by=printed_by,
        heading=_text(raw, "heading", where, problems, required=False),
        show=_names(raw, "show", known, where, problems),
        labels=_labels(raw, known, where, problems),
        tables=tables,
        as_=str(as_),
        title=_one_name(raw, "title", known, where, problems),
        group_by=_one_name(raw, "group_by", known, where, problems),
    )


def _check_step_feeds(step_raw: dict, worksheets: list[Worksheet], map_keys, problems) -> None:
    """A step lists every section its worksheets feed; it may list more (Step 1 gives M2 the
    framework text itself, Step 9 assembles the whole plan)."""
    where, declared = step_raw["_where"], set(step_raw["feeds"])
    for m in sorted(declared - map_keys):
        problems.add(where, f"feeds MAP section {m!r}, which does not exist")
    for w in worksheets:
        missing = set(w.feeds) - declared
        if missing:
            problems.add(where, f"{w.key} feeds {sorted(missing)}, which the step does not list")
        for f in w.fields:
            if set(f.feeds) - set(w.feeds):
                problems.add(
                    f"{where} › {w.key} › {f.key}",
                    f"feeds {sorted(set(f.feeds) - set(w.feeds))}, which its worksheet does not",
                )


def _check_map_links(sections, feeds_of: dict[str, set[str]], where_of, problems) -> None:
    """Each section's ``fed_by`` and each worksheet's ``feeds`` must say the same thing."""
    fed_by = {s.key: set(s.fed_by) for s in sections}
    for section in sections:
        here = f"map_sections.yaml › {section.key}"
        for key in section.fed_by:
            if key not in feeds_of:
                problems.add(here, f"fed_by unknown worksheet {key!r}")
            elif section.key not in feeds_of[key]:
                problems.add(
                    here,
                    f"lists {key} in fed_by, but {key} does not list {section.key} in its feeds",
                )
    for key, feeds in feeds_of.items():
        for m in sorted(feeds & set(fed_by)):
            if key not in fed_by[m]:
                problems.add(
                    where_of[key],
                    f"feeds {m}, but map_sections.yaml does not list {key} in {m}'s fed_by",
                )


def _check_roles(by_key: Mapping[str, Worksheet], raw: Mapping[str, dict], problems) -> None:
    """A role the app relies on is held by one worksheet at most, with the fields it reads.

    That the real content gives every role a worksheet is checked by tests/plans (a small
    content fixture needs none)."""
    holders: dict[str, list[str]] = {}
    for sheet in by_key.values():
        if not sheet.role:
            continue
        where = raw[sheet.key]["_where"]
        if sheet.role not in WORKSHEET_ROLES:
            known = ", ".join(WORKSHEET_ROLES)
            problems.add(where, f"unknown role {sheet.role!r} (known: {known})")
            continue
        holders.setdefault(sheet.role, []).append(sheet.key)
        keys = {f.key for f in sheet.fields}
        for needed in WORKSHEET_ROLES[sheet.role]:
            if needed not in keys:
                problems.add(where, f"role {sheet.role!r} needs a field {needed!r}")
    for role, found in holders.items():
        if len(found) > 1:
            problems.add("steps", f"role {role!r} is held by more than one worksheet: {found}")


def _cross_check(steps_raw, sections, framework, problems) -> tuple[Step, ...]:
    map_keys = {s.key for s in sections}
    sheets_by_key: dict[str, dict] = {}
    for _, sheets in steps_raw:
        for sh in sheets:
            if sh["key"] in sheets_by_key:
                problems.add(sh["_where"], f"duplicate worksheet key {sh['key']!r}")
            sheets_by_key[sh["key"]] = sh
    _apply_extends(sheets_by_key, problems)
    ctx = {"lists": framework.option_lists, "map_keys": map_keys, "sheet_keys": set(sheets_by_key)}

    feeds_of: dict[str, set[str]] = {}
    steps = []
    for step_raw, sheets in steps_raw:
        worksheets = []
        for sh in sheets:
            where = sh["_where"]
            _unique((f.key for f in sh["fields"]), "field", where, problems)
            for m in sh["feeds"]:
                if m not in map_keys:
                    problems.add(where, f"feeds MAP section {m!r}, which does not exist")
            feeds_of[sh["key"]] = set(sh["feeds"])
            fields = tuple(_finalise_field(f, where, ctx, problems) for f in sh["fields"])
            clean = {k: v for k, v in sh.items() if not k.startswith("_")}
            present = _parse_present(sh["_present"], fields, bool(sh["repeats"]), where, problems)
            worksheets.append(Worksheet(**{**clean, "fields": fields, "present": present}))
        _check_step_feeds(step_raw, worksheets, map_keys, problems)
        clean = {k: v for k, v in step_raw.items() if not k.startswith("_")}
        steps.append(Step(**{**clean, "worksheets": tuple(worksheets)}))

    by_key = {w.key: w for st in steps for w in st.worksheets}
    for sheet in by_key.values():
        _check_individual_links(sheet, by_key, sheets_by_key[sheet.key]["_where"], problems)
    _check_roles(by_key, sheets_by_key, problems)
    where_of = {key: sh["_where"] for key, sh in sheets_by_key.items()}
    _check_map_links(sections, feeds_of, where_of, problems)
    numbers = [s.number for s in steps]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.add("steps", f"step numbers must run 1, 2, 3, ... in order; found {numbers}")
    return tuple(steps)


def content_files(data_dir: Path | str = DATA_DIR) -> list[Path]:
    """The content files whose texts are translated (``plans/data/<lang>/<same name>``)."""
    data_dir = Path(data_dir)
    named = [data_dir / n for n in ("framework.yaml", "options.yaml", "map_sections.yaml")]
    return [*named, *sorted(data_dir.glob("step*.yaml"))]


def translation_reports(language: str, data_dir: Path | str = DATA_DIR) -> list[Report]:
    """Per content file, the texts with no ``language`` translation or a stale one."""
    return [load_translated(path, language)[1] for path in content_files(data_dir)]


def load_definitions(
    data_dir: Path | str = DATA_DIR, language: str = SOURCE_LANGUAGE
) -> Definitions:
    """Read and check every content file in ``data_dir``; raise DefinitionError on any problem.

    ``language``: the texts reader sees in that language where translated (English where a
    translation is missing or stale; ``translation_reports`` lists those). Keys never change."""
    data_dir = Path(data_dir)
    problems = _Problems()

    def read(path: Path) -> Any:
        return _read_yaml(path, problems, language)

    framework = _parse_framework(
        read(data_dir / "framework.yaml"), read(data_dir / "options.yaml"), problems
    )
    sections = _parse_map_sections(read(data_dir / "map_sections.yaml"), problems)
    steps_raw = []
    step_files = sorted(data_dir.glob("step*.yaml"))
    if not step_files:
        problems.add(str(data_dir), "no step*.yaml files found")
    for path in step_files:
        parsed = _parse_step(read(path), path, problems)
        if parsed:
            steps_raw.append(parsed)
    steps = _cross_check(steps_raw, sections, framework, problems)
    if problems:
        raise DefinitionError(problems)
    return Definitions(steps, sections, framework)

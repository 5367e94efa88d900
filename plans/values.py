"""Checking one answer against its field definition, without a database.

``validate_value(field, value)`` returns ``(clean_value, errors)``. ``clean_value`` is plain JSON
(str, int, float, bool, list, dict or None) ready to store; ``errors`` is a list of messages a
person can act on. An empty answer cleans to ``None`` and is only an error when ``check_required``
is set, because autosave stores half-finished work and "required" matters when a worksheet is
marked complete.

References are checked for shape here (an id, a known predictor key); whether a person or an
organisation belongs to the coalition needs the database and is checked by the service that saves.
Text is stored as typed: HTML in an answer is escaped when shown, Markdown is sanitised when
rendered.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from plans.content import DONT_KNOW, METRIC_KEY, URL_MAX, Field, Framework


def _(message: str) -> str:
    """Translate a message when Django is configured; the content checks also run without it."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    from django.conf import settings

    if not settings.configured:
        return singular if n == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, n)


Result = tuple[Any, list[str]]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?\Z")
# Control characters other than tab and newlines never belong in an answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def validate_value(
    field: Field, value: Any, *, check_required: bool = False, framework: Framework | None = None
) -> Result:
    """Clean ``value`` for ``field``; return the clean value and a list of error messages."""
    if field.type == "guidance":
        if _empty(value):
            return None, []
        return None, [_("This part is for reading only and takes no answer.")]
    if isinstance(value, str) and field.type not in ("long_text", "short_text"):
        value = value.strip()
    if _empty(value) or (isinstance(value, str) and not value.strip()):
        if check_required and field.required:
            return None, [_("This answer is required.")]
        return None, []
    checker = _CHECKERS[field.type]
    return checker(field, value, framework)


def _text(field: Field, value: Any, _fw) -> Result:
    if not isinstance(value, str):
        return None, [_("Please enter text.")]
    value = _CONTROL.sub("", value.replace("\r\n", "\n")).strip()
    if field.type == "short_text":
        value = " ".join(value.split())  # one line: newlines and runs of spaces become one space
    if not value:
        return None, []
    limit = field.max_length
    if limit and len(value) > limit:
        return None, [
            _(
                "This answer is %(length)s characters long; the limit is %(limit)s. "
                "Please shorten it by %(over)s characters."
            )
            % {
                "length": f"{len(value):,}",
                "limit": f"{limit:,}",
                "over": f"{len(value) - limit:,}",
            }
        ]
    return value, []


def _to_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        text = value.replace("%", "").strip()
        # Only commas that group thousands ("12,500.75"); "1,5" is ambiguous across languages.
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return None
    else:
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def _fmt(n: float | None) -> str:
    return f"{n:g}" if n is not None else ""


def _number(field: Field, value: Any, _fw) -> Result:
    number = _to_number(value)
    if number is None:
        return None, [_("Please enter a number, for example 12 or 3.5.")]
    if field.type == "number" and field.integer:
        if number != int(number):
            return None, [_("Please enter a whole number.")]
        number = int(number)
    lo, hi = field.min, field.max
    pct = field.type == "percent"
    bounds = {"lo": _fmt(lo), "hi": _fmt(hi)}
    if lo is not None and hi is not None and not lo <= number <= hi:
        msg = (
            _("Please enter a percentage between %(lo)s and %(hi)s.")
            if pct
            else _("Please enter a number between %(lo)s and %(hi)s.")
        )
        return None, [msg % bounds]
    if lo is not None and number < lo:
        msg = (
            _("Please enter a percentage of at least %(lo)s.")
            if pct
            else _("Please enter a number of at least %(lo)s.")
        )
        return None, [msg % bounds]
    if hi is not None and number > hi:
        msg = (
            _("Please enter a percentage of at most %(hi)s.")
            if pct
            else _("Please enter a number of at most %(hi)s.")
        )
        return None, [msg % bounds]
    return number, []


def _date(field: Field, value: Any, _fw) -> Result:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), []
    message = _("Please enter the date as year-month-day, for example 2026-03-31.")
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None, [message]
    try:
        return dt.date.fromisoformat(value).isoformat(), []
    except ValueError:
        return None, [_("%(value)s is not a real date.") % {"value": value} + " " + message]


def _url(field: Field, value: Any, _fw) -> Result:
    if not isinstance(value, str):
        return None, [_("Please enter a web address.")]
    if len(value) > URL_MAX:
        return None, [
            _("This web address is longer than %(n)s characters.") % {"n": f"{URL_MAX:,}"}
        ]
    if re.search(r"\s", value):
        return None, [_("A web address cannot contain spaces.")]
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None, [_("This web address could not be read.")]
    if parts.scheme.lower() not in ("http", "https"):
        return None, [_("Please enter a web address that starts with http:// or https://.")]
    if not hostname or "." not in hostname:
        return None, [_("This web address has no site name, e.g. https://www.example.org/page.")]
    if parts.username or parts.password:
        return None, [_("Please remove the user name or password from the web address.")]
    return value, []


def _file(field: Field, value: Any, _fw) -> Result:
    # A stored upload: {"id": ..., "name": "original-name.pdf"}; the service stores the file.
    if not isinstance(value, Mapping) or "id" not in value:
        return None, [_("Please upload a file.")]
    file_id, name = value.get("id"), value.get("name", "")
    if isinstance(file_id, bool) or not isinstance(file_id, int | str) or file_id == "":
        return None, [_("The uploaded file could not be found; please upload it again.")]
    if not isinstance(name, str):
        return None, [_("The file name must be text.")]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if field.accept and ext not in field.accept:
        allowed = ", ".join(f".{a}" for a in field.accept)
        return None, [
            _("Files of this type cannot be added here. Allowed: %(allowed)s.")
            % {"allowed": allowed}
        ]
    return {"id": file_id, "name": name}, []


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def _many(field: Field, value: Any, one) -> Result:
    """Apply ``one`` (value -> (clean, error|None)) to a single value or to a list of them."""
    values = value if field.multiple else [value]
    if not isinstance(values, list):
        return None, [_("Please choose from the list.")]
    clean, errors = [], []
    for v in values:
        c, err = one(v)
        if err:
            errors.append(err)
        elif c not in clean:
            clean.append(c)
    if errors:
        return None, errors
    return (clean if field.multiple else clean[0]), []


def _person(field: Field, value: Any, _fw) -> Result:
    def one(v):
        pid = _id(v)
        return (pid, None) if pid else (None, _("Please choose a member of the coalition."))

    return _many(field, value, one)


def _organisation(field: Field, value: Any, _fw) -> Result:
    # An organisation record's id, or a name typed in for one not yet recorded.
    def one(v):
        oid = _id(v)
        if oid:
            return oid, None
        if isinstance(v, str) and v.strip() and not v.strip().isdigit():
            name = " ".join(v.split())
            if len(name) > 200:
                return None, _("An organisation name can be at most 200 characters.")
            return name, None
        return None, _("Please choose or type an organisation.")

    return _many(field, value, one)


def _framework_ref(kind: str):
    def check(field: Field, value: Any, fw: Framework | None) -> Result:
        if fw is None:
            from plans.definitions import framework  # the public module imports this one

            fw = framework()
        known = {p.key: p.name for p in (fw.predictors if kind == "predictor" else fw.pillars)}

        def one(v):
            if isinstance(v, str) and v in known:
                return v, None
            msg = (
                _("%(value)r is not one of the %(n)s predictors of the framework.")
                if kind == "predictor"
                else _("%(value)r is not one of the %(n)s pillars of the framework.")
            )
            return None, msg % {"value": v, "n": len(known)}

        return _many(field, value, one)

    return check


def _metric(field: Field, value: Any, _fw) -> Result:
    # Which metric keys exist is the metrics app's business; here only the shape is checked.
    def one(v):
        if isinstance(v, str) and METRIC_KEY.match(v) and len(v) <= 100:
            return v, None
        return None, _("Please choose a Mobility Metric from the list.")

    return _many(field, value, one)


def _choice(field: Field, value: Any, _fw) -> Result:
    keys = [o.key for o in field.options]
    if not isinstance(value, str) or value not in keys:
        return None, [
            _("%(value)r is not one of the choices. Please pick one from the list.")
            % {"value": value}
        ]
    return value, []


def _multi_choice(field: Field, value: Any, _fw) -> Result:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None, [_("Please pick from the list.")]
    keys = [o.key for o in field.options]
    bad = [v for v in value if v not in keys]
    if bad:
        shown = ", ".join(repr(b) for b in bad)
        return None, [
            ngettext(
                "%(shown)s is not among the choices.",
                "%(shown)s are not among the choices.",
                len(bad),
            )
            % {"shown": shown}
        ]
    chosen = [k for k in keys if k in value]  # definition order, no duplicates
    if field.max_selected and len(chosen) > field.max_selected:
        return None, [
            _("Please pick at most %(most)s; you picked %(n)s.")
            % {"most": field.max_selected, "n": len(chosen)}
        ]
    return chosen, []


def _rating(field: Field, value: Any, _fw) -> Result:
    if field.dont_know and value == DONT_KNOW:
        return DONT_KNOW, []
    allowed = [p.value for p in field.scale]
    number = _id(value) if not isinstance(value, int) else value
    if isinstance(value, bool) or number not in allowed:
        bounds = {"lo": allowed[0], "hi": allowed[-1]}
        msg = (
            _('Please choose a rating from %(lo)s to %(hi)s or "Don\'t know".')
            if field.dont_know
            else _("Please choose a rating from %(lo)s to %(hi)s.")
        )
        return None, [msg % bounds]
    return number, []


def _checklist(field: Field, value: Any, _fw) -> Result:
    # Stored as {item_key: {"checked": bool, "note": str}}; a bare bool is accepted for an item.
    if not isinstance(value, Mapping):
        return None, [_("Please tick the items that apply.")]
    keys = {i.key: i.label for i in field.items}
    errors, clean = [], {}
    for k, v in value.items():
        if k not in keys:
            errors.append(_("%(key)r is not an item on this checklist.") % {"key": k})
            continue
        entry = v if isinstance(v, Mapping) else {"checked": v}
        checked, note = entry.get("checked", False), entry.get("note", "") or ""
        if not isinstance(checked, bool):
            errors.append(_("%(item)s: please tick or untick the box.") % {"item": keys[k]})
            continue
        if note and not field.note:
            errors.append(_("%(item)s: this checklist takes no notes.") % {"item": keys[k]})
            continue
        if not isinstance(note, str) or len(note) > 2000:
            errors.append(
                _("%(item)s: the note must be text of at most 2,000 characters.")
                % {"item": keys[k]}
            )
            continue
        clean[k] = {"checked": checked, "note": note.strip()}
    if errors:
        return None, errors
    return {i.key: clean.get(i.key, {"checked": False, "note": ""}) for i in field.items}, []


def _row(field: Field, row: Any, label: str, fw) -> Result:
    if not isinstance(row, Mapping):
        return None, [_("%(row)s: this row could not be read.") % {"row": label}]
    columns = {c.key: c for c in field.columns}
    errors = [
        _("%(row)s: unknown column %(key)r.") % {"row": label, "key": k}
        for k in row
        if k not in columns
    ]
    clean: dict[str, Any] = {}
    for key, column in columns.items():
        value, errs = validate_value(column, row.get(key), framework=fw)
        errors += [f"{label}, {column.label}: {e}" for e in errs]
        clean[key] = value
    return clean, errors


def _table(field: Field, value: Any, fw) -> Result:
    return _fixed_table(field, value, fw) if field.fixed_rows else _free_table(field, value, fw)


def _fixed_table(field: Field, value: Any, fw) -> Result:
    # Fixed rows (e.g. the nine readiness conditions) are stored keyed by row, every row present.
    if not isinstance(value, Mapping):
        return None, [_("This table could not be read.")]
    labels = {r.key: r.label for r in field.fixed_rows}
    errors = [
        _("%(key)r is not a row of this table.") % {"key": k} for k in value if k not in labels
    ]
    clean: dict[str, Any] = {}
    for key, label in labels.items():
        row, errs = _row(field, value.get(key) or {}, label, fw)
        errors += errs
        clean[key] = row
    return (None, errors) if errors else (clean, [])


def _free_table(field: Field, value: Any, fw) -> Result:
    if not isinstance(value, list):
        return None, [_("This table could not be read.")]
    rows = [r for r in value if not (isinstance(r, Mapping) and all(_empty(v) for v in r.values()))]
    if field.max_rows and len(rows) > field.max_rows:
        return None, [
            _(
                "This table has %(n)s rows; the limit is %(limit)s. "
                "Please remove some rows or combine them."
            )
            % {"n": len(rows), "limit": field.max_rows}
        ]
    errors: list[str] = []
    clean: list[Any] = []
    for i, r in enumerate(rows, 1):
        row, errs = _row(field, r, _("Row %(n)s") % {"n": i}, fw)
        errors += errs
        clean.append(row)
    return (None, errors) if errors else (clean, [])


_CHECKERS = {
    "long_text": _text,
    "short_text": _text,
    "number": _number,
    "percent": _number,
    "date": _date,
    "url": _url,
    "file": _file,
    "person": _person,
    "organisation": _organisation,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "rating": _rating,
    "table": _table,
    "checklist": _checklist,
    "predictor": _framework_ref("predictor"),
    "pillar": _framework_ref("pillar"),
    "metric": _metric,
}

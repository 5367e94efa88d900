"""Realistic shared answers for every worksheet that feeds the plan, built from the field
definitions. Every answer to an internal field carries a marker (``SECRET``) so a test can
see that none reaches the public document; every person is a real member of the coalition."""

from __future__ import annotations

import re
from typing import Any

from plans import definitions
from plans.content import DONT_KNOW, Field, Worksheet
from plans.map.presentation import INTERNAL, default_visibility
from plans.selectors import metric_catalog
from plans.services import worksheet_response_save

SECRET = "SECRET"
# Metric variables sampled (two units: a share and dollars).
METRICS = ("share_employed", "share_low_birth_weight")


def feeding_worksheets() -> list[Worksheet]:
    keys: list[str] = []
    for section in definitions.map_sections():
        keys += [k for k in section.fed_by if k not in keys]
    return [ws for k in keys if (ws := definitions.worksheet(k)).filled_by.mode == "coalition"]


def _words(ws: Worksheet, path: str, n: int, internal: bool) -> str:
    if internal:
        return f"{SECRET} {ws.key}.{path} {n}: the mayor's office may oppose this"
    return f"Residents told us about {path.replace('_', ' ')} (W{ws.number}, {n})"


def sample_value(ws: Worksheet, f: Field, path: str, internal: bool, members: list[int], n=1):
    t = f.type
    if t == "long_text":
        return _words(ws, path, n, internal)
    if t == "short_text":
        return _words(ws, path, n, internal)[: f.max_length or 200]
    if t == "number":
        if f.integer:
            return 120 + n
        return 1500 if f.unit else 66167.4321 + n
    if t == "percent":
        return 39.9076 + n
    if t == "date":
        return f"2026-0{n}-1{n}"
    if t == "url":
        return "https://www.example.org/report"
    if t == "person":
        return members[:2] if f.multiple else members[n % len(members)]
    if t == "organisation":
        name = f"{SECRET} Org {path}" if internal else "Boone County Health Department"
        return [name, "Central Missouri Community Action"] if f.multiple else name
    if t == "choice":
        return f.options[n % len(f.options)].key
    if t == "multi_choice":
        return [o.key for o in f.options[:2]]
    if t == "rating":
        return DONT_KNOW if f.dont_know and n == 2 else f.scale[-1].value
    if t == "predictor":
        keys = [p.key for p in definitions.framework().predictors]
        return keys[:2] if f.multiple else keys[n]
    if t == "pillar":
        keys = [p.key for p in definitions.framework().pillars]
        return keys[:2] if f.multiple else keys[n]
    if t == "metric":
        return list(METRICS) if f.multiple else METRICS[n % 2]
    if t == "checklist":
        return {i.key: {"checked": True, "note": ""} for i in f.items}
    if t == "table":

        def row(k):
            return {
                c.key: sample_value(
                    ws, c, f"{path}.{c.key}", internal or c.visibility == INTERNAL, members, k
                )
                for c in f.columns
            }

        if f.fixed_rows:
            return {r.key: row(1 + k % 2) for k, r in enumerate(f.fixed_rows)}
        return [row(1), row(2)]
    return None


def sample_record(ws: Worksheet, members: list[int], n: int = 1) -> dict[str, Any]:
    out = {}
    for f in ws.fields:
        if f.type in ("guidance", "file"):
            continue
        internal = default_visibility(ws, f.key) == INTERNAL
        value = sample_value(ws, f, f.key, internal, members, n)
        if value is not None:
            out[f.key] = value
    return out


def sample_data(ws: Worksheet, members: list[int]) -> dict[str, Any]:
    if ws.repeats:
        return {"records": [sample_record(ws, members, 1), sample_record(ws, members, 2)]}
    return sample_record(ws, members)


def fill_every_feeding_worksheet(actor) -> None:
    """Save realistic answers into every coalition worksheet that feeds the plan."""
    members = list(actor.coalition.memberships.values_list("pk", flat=True))
    for ws in feeding_worksheets():
        result = worksheet_response_save(
            actor=actor,
            worksheet_key=ws.key,
            data=sample_data(ws, members),
            base_version=0,
            all_or_nothing=True,
        )
        assert not result.errors, (ws.key, result.errors)


def raw_keys() -> set[str]:
    """Keys a reader must never see: option keys that read as keys (snake case), predictor
    and pillar keys, metric variables."""
    keys: set[str] = set(metric_catalog())
    fw = definitions.framework()
    keys |= {p.key for p in fw.predictors} | {p.key for p in fw.pillars}
    for ws in feeding_worksheets():
        for f in ws.fields:
            for g in (f, *f.columns):
                keys |= {o.key for o in g.options if "_" in o.key}
    return keys


def texts_of(blocks: list[dict]) -> list[str]:
    """Every piece of text a reader sees in blocks."""
    out: list[str] = []
    for b in blocks:
        for name in ("text", "caption", "attribution"):
            if b.get(name):
                out.append(str(b[name]))
        out += [str(h) for h in b.get("headers", [])]
        out += [str(c) for row in b.get("rows", []) for c in row]
        out += [str(n) for n in b.get("notes", [])]
        for item in b.get("items", []):
            out += [str(v) for v in item.values()] if isinstance(item, dict) else [str(item)]
    return out


def found_keys(texts: list[str], keys: set[str]) -> set[str]:
    words = set()
    for t in texts:
        words |= set(re.findall(r"[A-Za-z0-9_\-]+", t))
    return keys & words

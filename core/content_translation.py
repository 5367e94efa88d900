"""Translations of data files (the planning guide's YAML, the metric catalog), per language.

A data file ``<dir>/<name>.yaml`` is written in English. Its translation into a language lives
beside it in ``<dir>/<lang>/<name>.yaml``: one entry per translatable text, keyed by a stable
path built from the entries' keys (``worksheets.w5_4.fields.q1b.options.yes.label``), holding
the English it translates and the translation::

    worksheets.w5_4.title:
      en: Supplemental Data Source Assessment
      es: Evaluación de fuentes de datos complementarias

An entry is *missing* when the file has no translation for a path, and *stale* when the English
has changed since it was translated (its ``en`` differs from the source) or it is marked
``fuzzy: true``, like a fuzzy gettext entry. Missing and stale texts show in English: the page
never breaks, the check (tests, ``manage.py content_translations --check``) reports them, and
``manage.py content_translations`` rewrites the files with new paths added and stale entries
marked for the translator.

Plain Python (no Django), so the metric catalog can use it without settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SOURCE_LANGUAGE = "en"

# Keys whose text a reader sees. ``title`` under ``present`` and ``role`` of a worksheet are
# keys, not words; ``role`` of an actor type (the entry with a ``toolkit_name``) is words.
TEXT_KEYS = frozenset(
    {
        "label",
        "help",
        "title",
        "purpose",
        "guidance",
        "intro",
        "text",
        "placeholder",
        "repeats",
        "name",
        "description",
        "contains",
        "heading",
        "racial_equity",
        "guide_name",
        "toolkit_name",
        "caveat",
        "row_header",
    }
)
# Lists of plain texts (the guide's sub-section names of a step).
TEXT_LISTS = frozenset({"sections"})
# Mappings whose every value is a reader's label (a worksheet's ``present: labels:``).
LABEL_MAPS = frozenset({"labels"})
# libyaml's loader when it is built in: the guide and its translations load about 5 times faster.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What names an entry of a list, in order of preference; otherwise its position.
ID_KEYS = ("key", "slug", "variable", "value")


def _is_text(parent: dict, key: str, path: tuple[str, ...]) -> bool:
    if key == "role":
        return "toolkit_name" in parent
    if key == "title" and path and path[-1] == "present":
        return False
    return key in TEXT_KEYS


def _item_id(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for name in ID_KEYS:
            if isinstance(item.get(name), str | int) and not isinstance(item.get(name), bool):
                return str(item[name])
    return str(index)


def texts(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every translatable text of a parsed data file as (path, English), in file order."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = (*path, str(key))
            if isinstance(value, str) and _is_text(data, str(key), path):
                yield ".".join(here), value
            elif key in LABEL_MAPS and isinstance(value, dict):
                for name, label in value.items():
                    if isinstance(label, str):
                        yield ".".join((*here, str(name))), label
            elif key in TEXT_LISTS and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield ".".join((*here, str(i))), item
            else:
                yield from texts(value, here)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from texts(item, (*path, _item_id(item, i)))


def _apply(data: Any, chosen: dict[str, str], path: tuple[str, ...] = ()) -> Any:
    """A copy of ``data`` with the texts at the paths in ``chosen`` replaced."""
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            here = (*path, str(key))
            dotted = ".".join(here)
            if isinstance(value, str) and _is_text(data, str(key), path):
                out[key] = chosen.get(dotted, value)
            elif key in LABEL_MAPS and isinstance(value, dict):
                out[key] = {n: chosen.get(f"{dotted}.{n}", v) for n, v in value.items()}
            elif key in TEXT_LISTS and isinstance(value, list):
                out[key] = [chosen.get(f"{dotted}.{i}", v) for i, v in enumerate(value)]
            else:
                out[key] = _apply(value, chosen, here)
        return out
    if isinstance(data, list):
        return [_apply(item, chosen, (*path, _item_id(item, i))) for i, item in enumerate(data)]
    return data


@dataclass(frozen=True)
class Report:
    """What a translation file lacks against its English source."""

    file: str
    missing: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()  # paths the English no longer has

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale)

    def lines(self) -> list[str]:
        return [
            *(f"{self.file}: {p}: no translation" for p in self.missing),
            *(f"{self.file}: {p}: the English changed since it was translated" for p in self.stale),
        ]


def translation_path(source: Path, language: str) -> Path:
    return source.parent / language / source.name


def read_entries(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=Loader) or {}  # noqa: S506 - a safe loader
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must map text paths to entries with en and a translation")
    return {str(k): v for k, v in raw.items() if isinstance(v, dict)}


def _current(entry: dict[str, Any] | None, english: str, language: str) -> str:
    """The entry's translation if it translates this English, else ''."""
    if not entry or entry.get("fuzzy") or entry.get(SOURCE_LANGUAGE) != english:
        return ""
    value = entry.get(language)
    return value.strip() if isinstance(value, str) and value.strip() else ""


def translate(data: Any, source: Path, language: str) -> tuple[Any, Report]:
    """``data`` (parsed from ``source``) in ``language``, and what is missing or stale.

    Missing and stale texts stay English."""
    if language == SOURCE_LANGUAGE:
        return data, Report(source.name)
    entries = read_entries(translation_path(source, language))
    chosen: dict[str, str] = {}
    missing, stale = [], []
    seen = set()
    for path, english in texts(data):
        seen.add(path)
        entry = entries.get(path)
        text = _current(entry, english, language)
        if text:
            chosen[path] = text
        elif entry and isinstance(entry.get(language), str) and entry[language].strip():
            stale.append(path)
        else:
            missing.append(path)
    unused = tuple(sorted(set(entries) - seen))
    report = Report(f"{language}/{source.name}", tuple(missing), tuple(stale), unused)
    return _apply(data, chosen), report


def load_translated(source: Path, language: str) -> tuple[Any, Report]:
    with source.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=Loader)  # noqa: S506 - a safe loader
    return translate(data, source, language)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

HEADER = (
    "# {language} translation of {source}: one entry per text, keyed by its path.\n"
    "# en: the English it translates (when the English changes, the entry is stale and the\n"
    "# page shows English until someone updates both); fuzzy: true marks an entry to review.\n"
    "# Regenerate with: python manage.py content_translations (docs/planning-content.md).\n"
)


def skeleton_write(source: Path, language: str) -> Report:
    """Rewrite the translation file of ``source``: every current path in file order, new ones
    with an empty translation, stale ones with the new English and ``fuzzy: true``."""
    with source.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    target = translation_path(source, language)
    entries = read_entries(target)
    _, report = translate(data, source, language)
    out: dict[str, dict[str, Any]] = {}
    for path, english in texts(data):
        old = entries.get(path) or {}
        entry: dict[str, Any] = {SOURCE_LANGUAGE: english, language: old.get(language) or ""}
        if old.get("fuzzy") or (old.get(language) and old.get(SOURCE_LANGUAGE) != english):
            entry["fuzzy"] = True
            if old.get(SOURCE_LANGUAGE) and old.get(SOURCE_LANGUAGE) != english:
                entry["was"] = old[SOURCE_LANGUAGE]
        out[path] = entry
    target.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.dump(out, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    target.write_text(HEADER.format(language=language, source=source.name) + body, "utf-8")
    return report

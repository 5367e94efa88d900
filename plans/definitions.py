"""The planning guide's content (steps, worksheets, fields, MAP sections, framework) as data.

The YAML files in ``plans/data/`` are loaded once, checked strictly and turned into frozen
dataclasses. Nothing here touches the database, so forms, the API, exports and the MAP drafting
can all share one description of the guide. ``validate_value`` checks one answer against its field.

This module is the public entry point. The dataclasses live in ``plans.content``, the reading
and checking in ``plans.loader`` (which reports every problem at once, naming file, worksheet and
field), and the answer checks in ``plans.values``.
"""

from __future__ import annotations

import functools

from core.content_translation import SOURCE_LANGUAGE
from plans.content import (
    DATA_DIR,
    FIELD_TYPES,
    NON_CELL_TYPES,
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
    Principle,
    ScalePoint,
    Step,
    Worksheet,
)
from plans.loader import load_definitions
from plans.values import validate_value

__all__ = [
    "DATA_DIR",
    "FIELD_TYPES",
    "NON_CELL_TYPES",
    "ActorType",
    "ChecklistItem",
    "DefinitionError",
    "Definitions",
    "Dimension",
    "Field",
    "FilledBy",
    "Framework",
    "MapSection",
    "Option",
    "Pillar",
    "Predictor",
    "Principle",
    "ScalePoint",
    "Step",
    "Worksheet",
    "content_language",
    "framework",
    "load_definitions",
    "map_sections",
    "SHARED_WITH_NAMES",
    "reload",
    "sharing_setting",
    "step",
    "steps",
    "validate_value",
    "worksheet",
    "worksheet_by_role",
    "worksheets",
]

# The choices of a sharing setting (W5.2's ``sharing_mode``) are listed from most open to most
# private; this first one is the only one that shows members' names (tests/plans check both).
SHARED_WITH_NAMES = "attributed"


def content_language() -> str:
    """The language the guide's content is read in: the active one if it has translations."""
    from django.conf import settings
    from django.utils import translation

    if not settings.configured:
        return SOURCE_LANGUAGE
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    supported = {code.split("-")[0].lower() for code, _name in settings.LANGUAGES}
    return active if active in supported else SOURCE_LANGUAGE


@functools.cache
def _load(language: str) -> Definitions:
    return load_definitions(DATA_DIR, language)


def _definitions() -> Definitions:
    """The content in the active language (each language loaded once per process)."""
    return _load(content_language())


def reload() -> None:
    """Forget the cached content (for tests and for a shell session after editing a file)."""
    _load.cache_clear()


def steps() -> tuple[Step, ...]:
    return _definitions().steps


def step(number: int) -> Step:
    for s in steps():
        if s.number == number:
            return s
    raise KeyError(f"there is no step {number}")


def worksheets() -> tuple[Worksheet, ...]:
    return tuple(_definitions().worksheets.values())


def worksheet(key: str) -> Worksheet:
    try:
        return _definitions().worksheets[key]
    except KeyError:
        raise KeyError(f"there is no worksheet {key!r}") from None


def map_sections() -> tuple[MapSection, ...]:
    return _definitions().map_sections


def framework() -> Framework:
    return _definitions().framework


def worksheet_by_role(role: str) -> Worksheet:
    """The worksheet that plays ``role`` (``WORKSHEET_ROLES`` in plans/content.py)."""
    for w in worksheets():
        if w.role == role:
            return w
    raise KeyError(f"no worksheet has the role {role!r}")


def sharing_setting(ws: Worksheet) -> tuple[Worksheet, Field] | None:
    """The coalition worksheet and choice field where the data lead says how the answers of the
    individual worksheet ``ws`` are shared (its ``filled_by.sharing_setting``)."""
    if not ws.filled_by.sharing_setting:
        return None
    sheet_key, _sep, field_key = ws.filled_by.sharing_setting.partition(".")
    source = worksheet(sheet_key)
    return source, source.field(field_key)

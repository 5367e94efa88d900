"""The shapes of the planning guide's content: constants and frozen dataclasses.

``plans.loader`` builds these from the YAML in ``plans/data/``; ``plans.definitions`` is the
public entry point.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

DATA_DIR = Path(__file__).resolve().parent / "data"

FIELD_TYPES = (
    "long_text",
    "short_text",
    "number",
    "percent",
    "date",
    "url",
    "file",
    "person",
    "organisation",
    "choice",
    "multi_choice",
    "rating",
    "table",
    "checklist",
    "predictor",
    "pillar",
    "metric",
    "guidance",
)
# A table cell holds one answer; these three hold structure of their own and cannot be a column.
# Files are not cells: a browser cannot echo an upload back, so rows could not keep them.
NON_CELL_TYPES = frozenset({"table", "checklist", "guidance", "file"})
# Records that took the place of a worksheet answer (a field's ``superseded_by``): the page
# where they are kept (a URL name taking the coalition id), why the answer is read-only, and
# the link's words.
SUPERSEDING_RECORDS: dict[str, tuple[str, str | Promise, str | Promise]] = {
    "early_wins": (
        "implementation:early_wins",
        gettext_lazy(
            "Early wins are now logged on the early wins page. This table keeps the rows "
            "written here before, as they were, and can no longer be changed."
        ),
        gettext_lazy("Open the early wins"),
    ),
}
REFERENCE_TYPES = frozenset({"person", "organisation", "predictor", "pillar", "metric"})

MODES = ("coalition", "individual")
APP_ROLES = ("project_manager", "data_lead", "management_team", "member")
# Who the guide (spec §0.3) says fills a worksheet; kept for provenance and for the step pages.
GUIDE_ROLES = (
    "individual",
    "mobility_advocate",
    "leadership",
    "management_team",
    "project_manager",
    "data_lead",
    "data_team",
    "working_group",
    "facilitator",
    "coalition",
    "reviewer",
)
PROVENANCE = re.compile(r"^(V-guide|V-step-\d+|V-landing|V-toolkit|V-nlc|V-web|R-toc|R)$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
WORKSHEET_KEY = re.compile(r"^w(\d+)_(\d+)$")
MAP_KEY = re.compile(r"^M(\d+)$")
METRIC_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# Values the app works out itself and shows read-only (``computed``) or offers as a starting
# text the user may edit (``prefill``). Kept here so a typo in the YAML is caught at load time.
COMPUTATIONS = {
    "coalition_geography": "The county or city in the coalition's profile.",
    "sharing_mode_notice": "How the Data Lead said individual answers will be shared (W5.2).",
    "responses_received": "How many members have submitted their individual worksheet.",
    "descriptive_representation_ratio": "Officials' share divided by residents' share, per group.",
    "vision_statement": "The community vision statement adopted in W7.2.",
    "theory_of_change_statement": "The W7.3 sentence joined from the four answers above it.",
    "map_section_status": "Which worksheets feed each MAP section and whether they are complete.",
}

# What "Fill in from Worksheets" (plans.map) makes of a worksheet's answers (``record``), and
# what a MAP section shows besides its narrative (``shows``; charts: trends of linked metrics).
# Worksheet roles whose answers become strategy records (plans/map), and what a MAP section may
# show besides its narrative (``shows:``).
STRATEGY_RECORDS = ("priorities", "vision", "theories", "actions", "measures")
SECTION_RECORDS = (
    *STRATEGY_RECORDS,
    "charts",
    "approvals",
    "goals",
    "implementation",
    "front",
    "summary",
    "appendix",
)

# Who may read a feeding worksheet's answer in the plan (docs/map.md): "public" answers may
# appear in the published plan, "internal" ones are the coalition's working material.
VISIBILITIES = ("public", "internal")
# How a repeating worksheet's records print in the plan (``present: as:``).
PRESENT_AS = ("table", "facts", "paragraphs")

URL_MAX = 2_000
DONT_KNOW = "dont_know"


class DefinitionError(ValueError):
    """The planning content files are inconsistent; the message lists every problem found."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(
            "The planning content has problems:\n" + "\n".join(f"- {p}" for p in self.problems)
        )


# --- definitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    provenance: str = ""
    feeds: tuple[str, ...] = ()
    # A setting of how the coalition works (a due date, how answers are shared), not
    # content: kept out of the Mobility Action Plan.
    process: bool = False
    placeholder: str = ""
    links_to: str = ""  # key of a worksheet whose records this answer names
    # One of SUPERSEDING_RECORDS: records kept elsewhere took this answer's place. What was
    # written before is kept and shown, read-only; saves may not change it.
    superseded_by: str = ""
    prefill: str = ""
    # type-specific
    markdown: bool = False
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str = ""
    accept: tuple[str, ...] = ()
    max_size_mb: int | None = None
    multiple: bool = False
    options: tuple[Option, ...] = ()
    options_from: str = ""
    max_selected: int | None = None
    scale: tuple[ScalePoint, ...] = ()
    dont_know: bool = False
    columns: tuple[Field, ...] = ()
    fixed_rows: tuple[Option, ...] = ()
    row_header: str = ""
    max_rows: int | None = None
    items: tuple[Option, ...] = ()
    note: bool = False
    text: str = ""
    computed: str = ""
    # "public" or "internal" (VISIBILITIES); a project manager may change it per coalition.
    visibility: str = "public"

    @property
    def read_only(self) -> bool:
        return self.type == "guidance" or bool(self.superseded_by)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def column(self, key: str) -> Field | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class FilledBy:
    mode: str  # "coalition": one shared response; "individual": each member their own
    roles: tuple[str, ...]  # app roles allowed to edit (for individual: who fills one)
    guide_roles: tuple[str, ...] = ()  # who the guide names, for provenance and help
    # Individual worksheets only: the choice field ("worksheet.field") where the Data Lead says
    # how answers are shared, and the coalition worksheet the answers are compiled into.
    sharing_setting: str = ""
    compiled_in: str = ""


# What the app itself does with particular worksheets (``role:`` in the YAML), and the fields it
# reads there. Code finds a worksheet by its role (``definitions.worksheet_by_role``), never by key.
WORKSHEET_ROLES: dict[str, tuple[str, ...]] = {
    "readiness": ("conditions", "overall"),  # the readiness summary ranks its conditions
    # The strategy records (STRATEGY_RECORDS) are made from these worksheets' answers.
    "priorities": (),
    "vision": ("final",),  # the adopted vision statement, shown where later worksheets need it
    "theories": (),
    "actions": ("action_type", "systems_conditions"),  # the logic model's option lists
    # The measurement plan: started with one measure per logic-model element of each strategic
    # action its ``strategic_action`` field links to; its option lists are the measures'.
    "measures": ("strategic_action", "element_type"),
    # Step 10 (plans.implementation): the Early Wins Log's rows become EarlyWin records, and
    # the next cycle's candidate priorities are read from this worksheet's table.
    "early_wins": ("wins",),
    "next_cycle": ("next_priorities",),
    # The annual review (W8.5): its page leads to the scorecard, progress reports and the next
    # cycle (plans.implementation), where the review's records are kept.
    "annual_review": (),
}


@dataclass(frozen=True)
class TablePresentation:
    """How a table field prints in the plan: the columns a reader needs, in order."""

    columns: tuple[str, ...] = ()  # empty: every column
    group_by: str = ""  # a column: one table per value, under its own heading
    labels: Mapping[str, str] = field(default_factory=dict)  # column -> reader's header


@dataclass(frozen=True)
class Presentation:
    """How a worksheet's shared answers print in the plan (``present:`` in the YAML)."""

    heading: str = ""  # empty: the worksheet's title
    show: tuple[str, ...] = ()  # fields in the reader's order; empty: every answer field
    labels: Mapping[str, str] = field(default_factory=dict)  # field -> reader's label
    tables: Mapping[str, TablePresentation] = field(default_factory=dict)
    # Repeating worksheets: their records as one table, as facts or as paragraphs per record,
    # named by ``title``; a table may be split by ``group_by``.
    as_: str = ""
    title: str = ""
    group_by: str = ""
    # A strategy record (SECTION_RECORDS) the plan prints this worksheet's answers through;
    # then only the fields in ``show`` print from the worksheet itself (none without it).
    printed_by: str = ""


@dataclass(frozen=True)
class Worksheet:
    key: str
    number: str
    title: str
    step: int
    provenance: str
    filled_by: FilledBy
    intro: str
    feeds: tuple[str, ...]
    fields: tuple[Field, ...]
    optional: bool = False
    repeats: str = ""  # if set, the worksheet holds many records, each named by this label
    extends: str = ""
    role: str = ""  # one of WORKSHEET_ROLES, for the few worksheets the app treats specially
    present: Presentation = field(default_factory=Presentation)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.key} has no field {key!r}")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    provenance: str
    pages: str
    purpose: str
    guidance: str
    sections: tuple[str, ...]
    feeds: tuple[str, ...]
    worksheets: tuple[Worksheet, ...]
    checklist: tuple[ChecklistItem, ...]
    checklist_provenance: str


@dataclass(frozen=True)
class MapSection:
    key: str
    number: int
    title: str
    provenance: str
    contains: str
    fed_by: tuple[str, ...]
    shows: tuple[str, ...] = ()  # records shown besides the narrative (SECTION_RECORDS)


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    guide_name: str
    description: str


@dataclass(frozen=True)
class Predictor:
    key: str
    name: str
    pillar: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pillar:
    key: str
    name: str
    description: str
    predictors: tuple[Predictor, ...]


@dataclass(frozen=True)
class Principle:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class ActorType:
    key: str
    name: str
    toolkit_name: str
    role: str


@dataclass(frozen=True)
class Framework:
    dimensions: tuple[Dimension, ...]
    racial_equity: str
    pillars: tuple[Pillar, ...]
    principles: tuple[Principle, ...]
    actor_types: tuple[ActorType, ...]
    option_lists: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)

    @property
    def predictors(self) -> tuple[Predictor, ...]:
        return tuple(p for pillar in self.pillars for p in pillar.predictors)

    def predictor(self, key: str) -> Predictor:
        for p in self.predictors:
            if p.key == key:
                return p
        raise KeyError(f"unknown predictor {key!r}")

    def pillar(self, key: str) -> Pillar:
        for p in self.pillars:
            if p.key == key:
                return p
        raise KeyError(f"unknown pillar {key!r}")


@dataclass(frozen=True)
class Definitions:
    steps: tuple[Step, ...]
    map_sections: tuple[MapSection, ...]
    framework: Framework

    @functools.cached_property
    def worksheets(self) -> dict[str, Worksheet]:
        return {w.key: w for s in self.steps for w in s.worksheets}

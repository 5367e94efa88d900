"""The Urban Institute's technical specification, shipped in ``metrics/data/specification/``.

Plain Python (no Django), read once. It says which breakdowns Urban publishes for each
metric at each level, and which subgroup names each subgroup type has: the importer
refuses names it does not list, and the metric pages tell "Urban publishes none" apart
from "not imported here".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from metrics.parsing import ALL_SUBGROUP, ALL_TYPE, subgroup_type_of

SPECIFICATION_PATH = (
    Path(__file__).resolve().parent / "data" / "specification" / "metrics_technical_spec_2026.csv"
)
# The specification says "place"; this project says "city".
LEVELS = {"county": "county", "place": "city"}
# A comma where a semicolon was meant (county income groups of index_air_hazard).
SUBGROUP_FIXES = {"High-Poverty, Not High-Poverty": ("High-Poverty", "Not High-Poverty")}


@dataclass(frozen=True)
class Specification:
    # {subgroup type: subgroup names as written}, over both levels ("All" is always known)
    subgroup_names: dict[str, tuple[str, ...]]
    # {subgroup type: the same names in lower case}, to match a file's names against
    lowered: dict[str, frozenset[str]]
    # {(metric variable, level): subgroup types Urban publishes, "all" left out}
    breakdowns: dict[tuple[str, str], tuple[str, ...]]

    def breakdowns_of(self, variable: str, level: str) -> tuple[str, ...]:
        return self.breakdowns.get((variable, level), ())

    def knows(self, subgroup_type: str, subgroup: str) -> bool:
        if subgroup.strip().lower() == ALL_SUBGROUP.lower():
            return subgroup_type in self.subgroup_names
        return subgroup.strip().lower() in self.lowered.get(subgroup_type, frozenset())


def _names(text: str) -> list[str]:
    names: list[str] = []
    for piece in text.split(";"):
        piece = piece.strip()
        names += SUBGROUP_FIXES.get(piece, (piece,)) if piece else ()
    return names


@cache
def specification_load(path: Path = SPECIFICATION_PATH) -> Specification:
    names: dict[str, set[str]] = {ALL_TYPE: {ALL_SUBGROUP}}
    breakdowns: dict[tuple[str, str], list[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            level = LEVELS[row["GEOGRAPHY"].strip()]
            published = breakdowns.setdefault((row["METRIC"].strip(), level), [])
            for name in _names(row["SUBGROUP"]):
                kind = subgroup_type_of(row["SUBGROUP_TYPE"], name)
                names.setdefault(kind, set()).add(name)
                if kind != ALL_TYPE and kind not in published:
                    published.append(kind)
    return Specification(
        subgroup_names={kind: tuple(sorted(found)) for kind, found in names.items()},
        lowered={kind: frozenset(n.lower() for n in found) for kind, found in names.items()},
        breakdowns={key: tuple(kinds) for key, kinds in breakdowns.items()},
    )

"""Gaps between a subgroup and the whole, for the disparities page, the API and the MAP.

A gap compares one group of a breakdown with that breakdown's own "All" row (Urban computes
it with the groups; the overall file's value stands in when a breakdown has none) in the
latest year both have a value. Its size is the difference as a share of the whole's value,
so gaps of metrics in different units can be ranked together; it is direction-aware: a group
is worse off when the metric's better direction points away from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.charts import Row
from metrics.charts.compare import overlaps
from metrics.models import Metric
from metrics.profiles.reading import Reading, display, subgroup_type_text

NOT_COMPARABLE_UNITS = frozenset({"count"})


@dataclass(frozen=True)
class Gap:
    metric: Metric
    subgroup_type: str
    group: str
    year: int
    value: Reading
    whole: Reading

    @property
    def key(self) -> str:
        """What identifies the gap in a URL or a pinned note: variable:breakdown:group."""
        return f"{self.metric.variable}:{self.subgroup_type}:{self.group}"

    @property
    def breakdown(self) -> str:
        return subgroup_type_text(self.subgroup_type)

    @property
    def difference(self) -> float:
        assert self.value.number is not None and self.whole.number is not None
        return self.value.number - self.whole.number

    @property
    def size(self) -> float | None:
        """|group − whole| / |whole|; None when the whole is zero (no relative size)."""
        whole = self.whole.number
        if whole is None or abs(whole) < 1e-12:
            return None
        return abs(self.difference) / abs(whole)

    @property
    def worse(self) -> bool | None:
        """Is the group worse off than the whole? None for metrics with no better direction."""
        group, whole = self.value.number, self.whole.number
        assert group is not None and whole is not None
        direction = self.metric.direction
        if direction == "higher":
            return group < whole
        if direction == "lower":
            return group > whole
        if direction == "parity" and group > 0 and whole > 0:
            return abs(math.log(group)) > abs(math.log(whole))
        return None

    @property
    def overlap(self) -> bool | None:
        """Do the two 95% intervals overlap? None when either has none."""
        return overlaps(_row(self.value), _row(self.whole))

    @property
    def value_text(self) -> str:
        return display(self.value, self.metric.unit)

    @property
    def whole_text(self) -> str:
        return display(self.whole, self.metric.unit)


def _row(reading: Reading) -> Row:
    return Row(label="", value=reading.number, lb=reading.lb, ub=reading.ub)


def _shown(series: list[Reading], include_weak: bool) -> dict[int, Reading]:
    return {r.year: r for r in series if r.number is not None and (include_weak or not r.is_weak)}


def breakdown_gaps(
    metric: Metric,
    subgroup_type: str,
    groups: dict[str, list[Reading]],
    overall: list[Reading],
    *,
    include_weak: bool,
) -> list[Gap]:
    """Every group's gap to the breakdown's own "All" (else the overall value), latest year.

    Counts have none: a group's count is always below everyone's, which says nothing of a gap.
    """
    if metric.unit in NOT_COMPARABLE_UNITS:
        return []
    total = next((name for name in groups if name.lower() == "all"), None)
    whole = _shown(groups[total] if total else overall, include_weak)
    gaps = []
    for name, series in groups.items():
        if name == total:
            continue
        mine = _shown(series, include_weak)
        years = sorted(set(mine) & set(whole))
        if years:
            year = years[-1]
            gaps.append(Gap(metric, subgroup_type, name, year, mine[year], whole[year]))
    return gaps


def sort_key(gap: Gap) -> tuple[int, float]:
    """Worse-off groups first, then better-off, then no better direction; largest first."""
    rank = 0 if gap.worse else 1 if gap.worse is False else 2
    return (rank, -(gap.size if gap.size is not None else -1.0))

"""Where each measure and headline goal stands: on track, off track, no recent data, no target.

The rule (docs/tracking.md): the latest value for everyone (no subgroup) is compared with the
straight path from the baseline (value, date) to the target (value, date), read at the latest
value's date. A value at least as far along as the path, in the target's direction, is on
track. A value older than the measure's frequency allows (``MAX_AGE_DAYS``) is no recent data.
A gap target (a measure's ``gap_subgroup`` and ``gap_reduction_percent``, a goal's
``subgroup`` and ``gap_target``) gets its own status by the same rule on the gap: the
subgroup's value minus everyone's, for periods that have both. A subgroup with its own
baseline and target (``SubgroupTarget``) gets its own status by the same straight-path rule
on that subgroup's values (``MeasureStatus.subgroup_statuses``).

CONTRACT (used by the scorecard and the progress report): ``measure_statuses(coalition)`` and
``goal_statuses(coalition)`` return ``{id: MeasureStatus}`` with a constant number of
queries (three each), however many measures, values and subgroup targets there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalitions.models import Coalition
from metrics.charts.formatting import display_unit, format_value
from metrics.profiles.reading import subgroup_name_text
from plans.map.models import HeadlineGoal, Measure
from plans.tracking.models import SubgroupTarget, TrackedValue

# How old the latest value may be, by the measure's frequency (plans/data/options.yaml),
# counted from the end of its period. Yearly data come late (the Mobility Metrics of a
# year appear one to two years after it), hence three years for "once a year".
MAX_AGE_DAYS = {
    "monthly": 92,
    "quarterly": 183,
    "semiannual": 365,
    "annual": 3 * 365 + 1,
    "election_cycle": 5 * 365 + 1,
    "other": 3 * 365 + 1,
    "": 3 * 365 + 1,
}
# A target equal to its baseline means "hold": on track within this share of the target.
HOLD_TOLERANCE = 0.01


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    OFF_TRACK = "off_track", _("Off track")
    NO_RECENT_DATA = "no_recent_data", _("No recent data")
    NO_TARGET = "no_target", _("No target")


@dataclass(frozen=True)
class Reading:
    """One value as the status rule reads it."""

    date: dt.date
    period: str
    value: float


@dataclass(frozen=True)
class SubgroupStatus:
    """The status of one subgroup that has its own baseline and target."""

    subgroup: str
    subgroup_label: str  # the subgroup as a reader reads it
    status: str  # a Status key
    status_label: str
    latest_value: float | None
    latest_date: dt.date | None
    latest_period: str
    latest_text: str
    expected_value: float | None
    expected_text: str
    baseline_text: str
    baseline_date: dt.date
    target_text: str
    target_date: dt.date


@dataclass(frozen=True)
class MeasureStatus:
    status: str  # a Status key
    status_label: str
    latest_value: float | None
    latest_date: dt.date | None
    latest_text: str  # the latest value formatted for its unit, "" without one
    gap_status: str  # a Status key, "" when there is no gap target
    series_url: str
    latest_period: str = ""
    expected_value: float | None = None  # where the straight path stands at latest_date
    expected_text: str = ""
    gap_status_label: str = ""
    latest_gap: float | None = None
    unit: str = "number"
    value_count: int = 0
    subgroups: tuple[str, ...] = field(default=())
    subgroup_statuses: tuple[SubgroupStatus, ...] = field(default=())


@dataclass(frozen=True)
class Target:
    baseline_value: float | None
    baseline_date: dt.date | None
    target_value: float | None
    target_date: dt.date | None

    @property
    def complete(self) -> bool:
        return (
            None not in (self.baseline_value, self.target_value)
            and self.baseline_date is not None
            and self.target_date is not None
            and self.target_date > self.baseline_date
        )


def path_value(target: Target, on: dt.date) -> float:
    """Where the straight path from baseline to target stands on a date (held at both ends)."""
    assert target.complete
    base, goal = float(target.baseline_value), float(target.target_value)  # type: ignore[arg-type]
    span = (target.target_date - target.baseline_date).days  # type: ignore[operator]
    done = (on - target.baseline_date).days / span  # type: ignore[operator]
    return base + (goal - base) * min(1.0, max(0.0, done))


def on_path(target: Target, reading: Reading) -> bool:
    """Is the value at least as far along as the path, in the target's direction?"""
    expected = path_value(target, reading.date)
    base, goal = float(target.baseline_value), float(target.target_value)  # type: ignore[arg-type]
    if goal > base:
        return reading.value >= expected - 1e-12
    if goal < base:
        return reading.value <= expected + 1e-12
    return abs(reading.value - goal) <= abs(goal) * HOLD_TOLERANCE + 1e-12


def is_recent(reading: Reading, frequency: str, today: dt.date) -> bool:
    max_age = MAX_AGE_DAYS.get(frequency or "", MAX_AGE_DAYS[""])
    return (today - reading.date).days <= max_age


def rule_status(target: Target, latest: Reading | None, *, frequency: str, today: dt.date) -> str:
    if not target.complete:
        return Status.NO_TARGET
    if latest is None or not is_recent(latest, frequency, today):
        return Status.NO_RECENT_DATA
    return Status.ON_TRACK if on_path(target, latest) else Status.OFF_TRACK


def gaps(whole: list[Reading], group: list[Reading]) -> list[Reading]:
    """The subgroup's value minus everyone's, for each period that has both, by date."""
    by_period = {r.period: r for r in whole}
    return [
        Reading(r.date, r.period, r.value - by_period[r.period].value)
        for r in group
        if r.period in by_period
    ]


def gap_status(
    gap_series: list[Reading],
    *,
    baseline_date: dt.date | None,
    target_gap: float | None,
    target_date: dt.date | None,
    frequency: str,
    today: dt.date,
) -> tuple[str, Reading | None]:
    """The status of a gap target: the gap's path runs from the gap of the period nearest the
    baseline date to ``target_gap`` (None: a share of that gap, see ``measure``)."""
    if target_date is None or target_gap is None:
        return Status.NO_TARGET, None
    if not gap_series:
        return Status.NO_RECENT_DATA, None
    start = min(
        gap_series,
        key=lambda r: abs((r.date - (baseline_date or gap_series[0].date)).days),
    )
    latest = gap_series[-1]
    target = Target(abs(start.value), start.date, abs(target_gap), target_date)
    if not target.complete:
        return Status.NO_TARGET, latest
    if not is_recent(latest, frequency, today):
        return Status.NO_RECENT_DATA, latest
    closing = Reading(latest.date, latest.period, abs(latest.value))
    return (Status.ON_TRACK if on_path(target, closing) else Status.OFF_TRACK), latest


def _series(rows: Iterable[tuple[int, str, str, dt.date, float]]) -> dict[int, dict]:
    """{owner id: {subgroup: [Reading by date]}} from (owner, subgroup, period, date, value)."""
    found: dict[int, dict[str, list[Reading]]] = defaultdict(lambda: defaultdict(list))
    for owner, subgroup, period, date, value in rows:
        found[owner][subgroup].append(Reading(date, period, value))
    return found


def _values(coalition: Coalition, owner: str) -> dict[int, dict]:
    rows = (
        TrackedValue.objects.filter(coalition=coalition, **{f"{owner}__isnull": False})
        .order_by(owner, "subgroup", "date")
        .values_list(owner, "subgroup", "period", "date", "value")
    )
    return _series(rows)


def _status(
    *,
    target: Target,
    frequency: str,
    unit: str,
    series: dict[str, list[Reading]],
    url: str,
    gap: tuple[str, Reading | None] | None,
    today: dt.date,
    subgroup_targets: Iterable[SubgroupTarget] = (),
) -> MeasureStatus:
    whole = series.get("", [])
    latest = whole[-1] if whole else None
    status = rule_status(target, latest, frequency=frequency, today=today)
    expected = path_value(target, latest.date) if latest and target.complete else None
    gap_key, gap_latest = gap or ("", None)
    return MeasureStatus(
        status=status,
        status_label=str(Status(status).label),
        latest_value=latest.value if latest else None,
        latest_date=latest.date if latest else None,
        latest_text=format_value(latest.value, unit) if latest else "",
        gap_status=gap_key,
        series_url=url,
        latest_period=latest.period if latest else "",
        expected_value=expected,
        expected_text=path_text(expected, target, unit),
        gap_status_label=str(Status(gap_key).label) if gap_key else "",
        latest_gap=gap_latest.value if gap_latest else None,
        unit=unit,
        value_count=sum(len(v) for v in series.values()),
        subgroups=tuple(sorted(k for k in series if k)),
        subgroup_statuses=tuple(
            subgroup_status(
                t, series.get(t.subgroup, []), frequency=frequency, unit=unit, today=today
            )
            for t in subgroup_targets
        ),
    )


def path_text(expected: float | None, target: Target, unit: str) -> str:
    """Where the straight path stands, as precise as its ends: a path between whole numbers
    (people reached, from 12,000 to 20,000) reads in whole numbers, not 16,503.08. Other
    units keep their own precision (a share is stored as a fraction)."""
    if expected is None:
        return ""
    ends = (target.baseline_value, target.target_value)
    if unit == "number" and all(v is not None and float(v).is_integer() for v in ends):
        expected = float(round(expected))
    return format_value(expected, unit)


def subgroup_status(
    target: SubgroupTarget, series: list[Reading], *, frequency: str, unit: str, today: dt.date
) -> SubgroupStatus:
    """A subgroup's own status: its latest value against the straight path from its baseline
    to its target, as for everyone."""
    rule = Target(
        target.baseline_value, target.baseline_date, target.target_value, target.target_date
    )
    latest = series[-1] if series else None
    found = rule_status(rule, latest, frequency=frequency, today=today)
    expected = path_value(rule, latest.date) if latest and rule.complete else None
    return SubgroupStatus(
        subgroup=target.subgroup,
        subgroup_label=subgroup_name_text(target.subgroup),
        status=found,
        status_label=str(Status(found).label),
        latest_value=latest.value if latest else None,
        latest_date=latest.date if latest else None,
        latest_period=latest.period if latest else "",
        latest_text=format_value(latest.value, unit) if latest else "",
        expected_value=expected,
        expected_text=path_text(expected, rule, unit),
        baseline_text=format_value(target.baseline_value, unit),
        baseline_date=target.baseline_date,
        target_text=format_value(target.target_value, unit),
        target_date=target.target_date,
    )


def _subgroup_targets(coalition: Coalition, owner: str) -> dict[int, list[SubgroupTarget]]:
    """{owner id: [SubgroupTarget by subgroup]} of the coalition's measures or goals, one query."""
    found: dict[int, list[SubgroupTarget]] = defaultdict(list)
    rows = SubgroupTarget.objects.filter(coalition=coalition, **{f"{owner}__isnull": False})
    for t in rows.order_by("subgroup", "pk"):
        found[getattr(t, f"{owner}_id")].append(t)
    return found


def measure_and_goal_statuses(
    coalition: Coalition,
    *,
    measures: Iterable[Measure],
    goals: Iterable[HeadlineGoal],
    today: dt.date | None = None,
) -> tuple[dict[int, MeasureStatus], dict[int, MeasureStatus]]:
    """``measure_statuses`` and ``goal_statuses`` of the given measures and goals together, in
    two queries: every value, then every subgroup target, of the coalition (the scorecard)."""
    today = today or timezone.localdate()
    rows = (
        TrackedValue.objects.filter(coalition=coalition)
        .order_by("date", "pk")
        .values_list("measure", "goal", "subgroup", "period", "date", "value")
    )
    by_measure: list[tuple[int, str, str, dt.date, float]] = []
    by_goal: list[tuple[int, str, str, dt.date, float]] = []
    for measure_id, goal_id, *rest in rows:
        if measure_id is not None:
            by_measure.append((measure_id, *rest))  # type: ignore[arg-type]
        else:
            by_goal.append((goal_id, *rest))
    m_values, g_values = _series(by_measure), _series(by_goal)
    m_targets: dict[int, list[SubgroupTarget]] = defaultdict(list)
    g_targets: dict[int, list[SubgroupTarget]] = defaultdict(list)
    for t in SubgroupTarget.objects.filter(coalition=coalition).order_by("subgroup", "pk"):
        if t.measure_id is not None:
            m_targets[t.measure_id].append(t)
        else:
            g_targets[t.goal_id].append(t)  # type: ignore[index]
    return (
        {
            m.pk: measure_status(m, m_values.get(m.pk, {}), today, m_targets.get(m.pk, ()))
            for m in measures
        },
        {
            g.pk: goal_status(g, g_values.get(g.pk, {}), today, g_targets.get(g.pk, ()))
            for g in goals
        },
    )


def measure_target(measure: Measure) -> Target:
    return Target(
        measure.baseline_value, measure.baseline_date, measure.target_value, measure.target_date
    )


def _current(targets: Iterable[SubgroupTarget], subgroups: Iterable[str]) -> list[SubgroupTarget]:
    """The targets of subgroups the owner still has (a subgroup removed keeps no status)."""
    names = set(subgroups)
    return [t for t in targets if t.subgroup in names]


def measure_status(
    measure: Measure,
    series: dict[str, list[Reading]],
    today: dt.date,
    subgroup_targets: Iterable[SubgroupTarget] = (),
):
    unit = display_unit(measure.unit)
    gap = None
    if measure.gap_subgroup and measure.gap_reduction_percent:
        gap_series = gaps(series.get("", []), series.get(measure.gap_subgroup, []))
        start = _nearest(gap_series, measure.baseline_date)
        target_gap = abs(start.value) * (1 - measure.gap_reduction_percent / 100) if start else None
        gap = gap_status(
            gap_series,
            baseline_date=measure.baseline_date,
            target_gap=target_gap,
            target_date=measure.target_date,
            frequency=measure.frequency,
            today=today,
        )
    return _status(
        target=measure_target(measure),
        frequency=measure.frequency,
        unit=unit,
        series=series,
        url=reverse("tracking:measure", args=[measure.coalition_id, measure.pk]),
        gap=gap,
        today=today,
        subgroup_targets=_current(subgroup_targets, _measure_subgroups(measure)),
    )


def _measure_subgroups(measure: Measure) -> list[str]:
    names = [str(s) for s in measure.subgroups or []]
    return [*names, measure.gap_subgroup] if measure.gap_subgroup else names


def _nearest(series: list[Reading], on: dt.date | None) -> Reading | None:
    if not series:
        return None
    return min(series, key=lambda r: abs((r.date - (on or series[0].date)).days))


def goal_target(goal: HeadlineGoal) -> Target:
    return Target(goal.baseline_value, goal.baseline_date, goal.target_value, goal.target_date)


def goal_status(
    goal: HeadlineGoal,
    series: dict[str, list[Reading]],
    today: dt.date,
    subgroup_targets: Iterable[SubgroupTarget] = (),
):
    gap = None
    if goal.subgroup and goal.gap_target is not None:
        gap = gap_status(
            gaps(series.get("", []), series.get(goal.subgroup, [])),
            baseline_date=goal.baseline_date,
            target_gap=goal.gap_target,
            target_date=goal.target_date,
            frequency="annual",
            today=today,
        )
    return _status(
        target=goal_target(goal),
        frequency="annual",
        unit=display_unit(goal.unit),
        series=series,
        url=reverse("tracking:goal", args=[goal.coalition_id, goal.pk]),
        gap=gap,
        today=today,
        subgroup_targets=_current(subgroup_targets, [goal.subgroup] if goal.subgroup else []),
    )


def measure_statuses(
    coalition: Coalition,
    *,
    today: dt.date | None = None,
    measures: Iterable[Measure] | None = None,
) -> dict[int, MeasureStatus]:
    """{Measure id: MeasureStatus} for every measure of the coalition (or of ``measures``, the
    caller's already read), in three queries (two when given the measures)."""
    today = today or timezone.localdate()
    values = _values(coalition, "measure")
    targets = _subgroup_targets(coalition, "measure")
    if measures is None:
        measures = Measure.objects.filter(coalition=coalition)
    return {
        m.pk: measure_status(m, values.get(m.pk, {}), today, targets.get(m.pk, ()))
        for m in measures
    }


def goal_statuses(
    coalition: Coalition,
    *,
    today: dt.date | None = None,
    goals: Iterable[HeadlineGoal] | None = None,
) -> dict[int, MeasureStatus]:
    """{HeadlineGoal id: MeasureStatus} for every headline goal of the coalition (or of
    ``goals``, the caller's already read), in three queries (two when given the goals)."""
    today = today or timezone.localdate()
    values = _values(coalition, "goal")
    targets = _subgroup_targets(coalition, "goal")
    if goals is None:
        goals = HeadlineGoal.objects.filter(coalition=coalition)
    return {g.pk: goal_status(g, values.get(g.pk, {}), today, targets.get(g.pk, ())) for g in goals}

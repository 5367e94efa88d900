"""Selectors of the Mobility Metrics the MAP shows: baselines, series for charts, labels.

The only module of ``plans.map`` that reads the metrics app. Numbers come from the active
release, for the coalition's geography, through ``metrics.selectors``; the whole population is
the subgroup type ``all``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from core.models import JobStatus
from core.request_cache import request_memo
from metrics import selectors as metric_selectors
from metrics.catalog import missing_year_reasons
from metrics.charts.formatting import HUNDREDS, display_unit, format_value, value_parse
from metrics.models import LocalDataset, LocalValue, Metric, Observation, Quality, Release
from metrics.parsing import ALL_TYPE, number_parse
from metrics.profiles import selectors as profile_selectors
from metrics.profiles.charts import split_total
from metrics.profiles.disparities import breakdown_gaps
from metrics.profiles.reading import Reading, gap_note_text, subgroup_type_text
from metrics.profiles.selectors import READING_FIELDS, SubgroupSeries, is_whole_area
from metrics.quality import quality_label

SOURCE = "Urban Institute, Mobility Metrics for the Upward Mobility Framework"


@dataclass(frozen=True)
class Baseline:
    value: float | None
    year: int
    quality: int | None
    release_name: str
    label: str = ""
    unit: str = ""

    @property
    def quality_label(self) -> str:
        return quality_label(self.quality)

    @property
    def value_text(self) -> str:
        """The value as its unit reads ("45 per 100 households"), in the active language."""
        return "" if self.value is None else value_text(self.value, self.unit)

    @property
    def is_weak(self) -> bool:
        return self.quality == Quality.WEAK


def source_note(baseline: Baseline) -> str:
    """The note on a metric's numbers in the plan: label, source, release, year, quality."""
    return _(
        "%(label)s. Source: %(source)s; release %(release)s; year %(year)s; "
        "data quality: %(quality)s."
    ) % {
        "label": baseline.label,
        "source": SOURCE,
        "release": baseline.release_name,
        "year": baseline.year,
        "quality": baseline.quality_label,
    }


def value_text(value: float | None, unit: str) -> str:
    """A metric value as people read it: the metrics app's one formatter for its unit."""
    return format_value(value, display_unit(unit))


def measure_value_text(text: str, variable: str) -> str:
    """A measure's baseline or target on a linked metric, in the metric's unit and the reader's
    language ("50" or "50%" for a share: ``50.0%``; "1:1" for a text ratio: ``1.00 : 1``).

    A bare fraction of a share (``0.399076``) is the number as the data store it (baselines
    were prefilled so before): read as stored. Text that is no number stays as written.
    """
    text = (text or "").strip()
    if not text or not variable:
        return text
    unit = display_unit(metric_info(variable)["unit"])
    try:
        stored = number_parse(text)
    except ValueError:
        stored = None
    if stored is not None and unit in HUNDREDS and abs(stored) <= 1:
        return value_text(stored, unit)
    try:
        return value_text(value_parse(text, unit), unit)
    except ValueError:
        return text


def missing_reasons(variable: str) -> dict[int, str]:
    """Why a metric's series has no value for a year, where the reason is known (2020)."""
    return missing_year_reasons(variable)


def active_release_name() -> str:
    """The name of the release the numbers come from; empty while none is active."""
    release = metric_selectors.release_active()
    return release.name if release else ""


def metric_choices() -> list[tuple[str, str]]:
    """(variable, label) of every Mobility Metric, for the measure form's choice list."""
    found = metric_selectors.metrics_by_variable().values()
    return [(m.variable, m.label) for m in sorted(found, key=lambda m: (m.position, m.variable))]


def metric_label(variable: str) -> str:
    metric = metric_selectors.metrics_by_variable().get(variable)
    return metric.label if metric else variable


@dataclass
class MetricBook:
    """Every value of the coalition's place in the active release for the whole population
    (read in one query), and the breakdowns of the metrics a page asks for (one more).

    Pages ask for baselines and series metric by metric; they read them from here, once per
    request (``core.request_cache``), instead of two or three queries per metric."""

    release: Release | None
    readings: dict[int, list[Reading]] = field(default_factory=dict)
    breakdowns: dict[int, dict[str, list[SubgroupSeries]]] = field(default_factory=dict)


def metric_book(coalition: Coalition) -> MetricBook:
    return request_memo(
        ("metric_book", coalition.geography_id), lambda: _book_load(coalition.geography_id)
    )


def _book_load(geography_id: int) -> MetricBook:
    release = metric_selectors.release_active()
    book = MetricBook(release)
    if release is None:
        return book
    rows = Observation.objects.filter(
        metric_selectors.years_condition(),
        release=release,
        geography_id=geography_id,
        subgroup__subgroup_type=ALL_TYPE,
    ).values_list(*READING_FIELDS)
    for metric_id, year, value, a, b, lb, ub, quality in rows:
        book.readings.setdefault(metric_id, []).append(Reading(year, value, a, b, lb, ub, quality))
    for series in book.readings.values():
        series.sort(key=lambda r: r.year)
    return book


def breakdowns_prefetch(coalition: Coalition, variables: Iterable[str]) -> MetricBook:
    """Read the breakdowns of these metrics for the coalition's place in one query."""
    book = metric_book(coalition)
    catalog = metric_selectors.metrics_by_variable()
    ids = {catalog[v].pk for v in variables if v in catalog} - set(book.breakdowns)
    if book.release is None or not ids:
        return book
    rows = (
        Observation.objects.filter(
            metric_selectors.years_condition(),
            release=book.release,
            geography_id=coalition.geography_id,
            metric_id__in=ids,
        )
        .exclude(subgroup__subgroup_type=ALL_TYPE)
        .values_list("metric_id", "subgroup__subgroup_type", "subgroup__name", *READING_FIELDS[1:])
    )
    grouped: dict[int, dict[tuple[str, str], list[Reading]]] = {pk: {} for pk in ids}
    for metric_id, kind, name, year, value, a, b, lb, ub, quality in rows:
        grouped[metric_id].setdefault((kind, name), []).append(
            Reading(year, value, a, b, lb, ub, quality)
        )
    for metric_id, groups in grouped.items():
        result: dict[str, list[SubgroupSeries]] = {}
        for (kind, name), series in sorted(groups.items()):
            series.sort(key=lambda r: r.year)
            if any(r.number is not None for r in series):
                result.setdefault(kind, []).append(SubgroupSeries(kind, name, series))
        book.breakdowns[metric_id] = result
    return book


def _whole(coalition: Coalition, variable: str) -> tuple[str, Metric, list[Reading]] | None:
    """(release name, metric, the whole population's readings by year) from the book."""
    book = metric_book(coalition)
    metric = metric_selectors.metrics_by_variable().get(variable)
    if book.release is None or metric is None:
        return None
    return book.release.name, metric, book.readings.get(metric.pk, [])


def _observations(
    coalition: Coalition, variable: str, subgroup: str
) -> tuple[str, Metric, QuerySet[Observation]] | None:
    """(release name, metric, rows by year) for one subgroup by name."""
    release = metric_selectors.release_active()
    metric = metric_selectors.metrics_by_variable().get(variable)
    if release is None or metric is None:
        return None
    rows = metric_selectors.observations_for_geography(
        geography=coalition.geography, release=release, metric=variable
    ).filter(subgroup__name=subgroup)
    return release.name, metric, rows.order_by("year")


def baseline_for(
    coalition: Coalition, variable: str, subgroup: str | None = None
) -> Baseline | None:
    """The latest value of a metric for the coalition's geography, in the active release."""
    if not variable:
        return None
    if subgroup:
        found = _observations(coalition, variable, subgroup)
        if found is None:
            return None
        release_name, metric, rows = found
        row = rows.exclude(value__isnull=True).last()
        latest = Reading(row.year, row.value, None, None, None, None, row.quality) if row else None
    else:
        whole = _whole(coalition, variable)
        if whole is None:
            return None
        release_name, metric, readings = whole
        latest = next((r for r in reversed(readings) if r.value is not None), None)
    if latest is None:
        return None
    return Baseline(
        value=latest.value,
        year=latest.year,
        quality=latest.quality,
        release_name=release_name,
        label=metric.label,
        unit=metric.unit,
    )


def series_for(coalition: Coalition, variable: str, subgroup: str | None = None) -> list[dict]:
    """Every year of a metric (value, bounds, quality) for a chart."""
    if not variable:
        return []
    if subgroup:
        found = _observations(coalition, variable, subgroup)
        if found is None:
            return []
        return [
            {"year": r.year, "value": r.value, "lb": r.lb, "ub": r.ub, "quality": r.quality}
            for r in found[2]
        ]
    whole = _whole(coalition, variable)
    if whole is None:
        return []
    return [
        {"year": r.year, "value": r.value, "lb": r.lb, "ub": r.ub, "quality": r.quality}
        for r in whole[2]
    ]


def metric_info(variable: str) -> dict[str, str]:
    """Label, unit and direction of a metric, for a chart's axis and wording."""
    metric = metric_selectors.metrics_by_variable().get(variable)
    if metric is None:
        return {"label": variable, "unit": "number", "direction": ""}
    return {"label": metric.label, "unit": metric.unit, "direction": metric.direction}


@dataclass(frozen=True)
class GapBaseline:
    """A measure's gap target from the data: the group's and the whole's latest values."""

    group: str
    breakdown: str
    year: int
    value_text: str
    whole_text: str
    group_series: list[dict]
    whole_series: list[dict]

    def as_dict(self) -> dict:
        return {
            "group": self.group,
            "breakdown": self.breakdown,
            "year": self.year,
            "value": self.value_text,
            "whole": self.whole_text,
            "group_series": self.group_series,
            "whole_series": self.whole_series,
        }


def _points(series: list[Reading]) -> list[dict]:
    return [
        {"year": r.year, "value": r.number, "lb": r.lb, "ub": r.ub, "quality": r.quality}
        for r in series
    ]


def gap_baseline_for(coalition: Coalition, variable: str, subgroup: str) -> GapBaseline | None:
    """The group named by a gap target (any breakdown, case aside) against its breakdown's
    total, in the latest year both have a value; with both series for a chart."""
    whole = _whole(coalition, variable)
    if whole is None or not subgroup.strip():
        return None
    _release_name, metric, overall = whole
    book = breakdowns_prefetch(coalition, [variable])
    wanted = subgroup.strip().casefold()
    for kind, groups in book.breakdowns.get(metric.pk, {}).items():
        found = next((g for g in groups if g.name.casefold() == wanted), None)
        if found is None:
            continue
        members, total = split_total(groups, overall)
        gap = next(
            iter(
                breakdown_gaps(
                    metric, kind, {found.name: found.series, "All": total}, [], include_weak=True
                )
            ),
            None,
        )
        if gap is None:
            return None
        return GapBaseline(
            group=found.name,
            breakdown=gap.breakdown,
            year=gap.year,
            value_text=gap.value_text,
            whole_text=gap.whole_text,
            group_series=_points(found.series),
            whole_series=_points(total),
        )
    return None


def pinned_gaps(coalition: Coalition) -> list[dict[str, str]]:
    """The gaps members pinned on the disparities page, with today's numbers, for the MAP's
    findings section (plain strings: a frozen version keeps them as they were)."""
    notes = list(profile_selectors.gap_notes(coalition))
    if not notes:
        return []
    data = profile_selectors.geography_disparities(coalition.geography, include_weak=True)
    gaps = {(g.metric.pk, g.subgroup_type, g.group): g for g in data.gaps}
    out = []
    for note in notes:
        gap = gaps.get((note.metric_id, note.subgroup_type, note.subgroup))
        out.append(
            {
                "metric": note.metric.label,
                "group": note.subgroup,
                "breakdown": subgroup_type_text(note.subgroup_type),
                "finding": gap_note_text(gap) if gap else "",
                "note": note.text,
                "step": str(note.get_step_display()),
            }
        )
    return out


# --- headline goals: a metric or a local dataset, its series, subgroups and medians ---------


@dataclass(frozen=True)
class GoalSource:
    """What a headline goal reads: a Mobility Metric or one of the coalition's local datasets."""

    label: str
    unit: str
    direction: str
    variable: str = ""
    dataset: LocalDataset | None = None


def local_datasets(coalition: Coalition) -> QuerySet[LocalDataset]:
    """The coalition's loaded local datasets (a goal can be set on any of them)."""
    return LocalDataset.objects.filter(coalition=coalition, status=JobStatus.SUCCEEDED).order_by(
        "name"
    )


def goal_source(
    coalition: Coalition, *, variable: str = "", dataset: LocalDataset | None = None
) -> GoalSource | None:
    """The source of a goal, or None when the metric is unknown or the dataset not this
    coalition's."""
    if variable:
        metric = metric_selectors.metrics_by_variable().get(variable)
        if metric is None:
            return None
        return GoalSource(metric.label, display_unit(metric.unit), metric.direction, variable)
    if dataset is not None and dataset.coalition_id == coalition.pk:
        return GoalSource(dataset.name, display_unit(dataset.unit), "", dataset=dataset)
    return None


def _local_points(coalition: Coalition, dataset: LocalDataset, subgroup: str) -> list[dict]:
    rows = LocalValue.objects.filter(dataset=dataset).order_by("year")
    wanted = subgroup.strip().casefold()
    return [
        {"year": r.year, "value": r.value, "lb": r.lb, "ub": r.ub, "quality": None}
        for r in rows
        if is_whole_area(r.area, coalition) and r.subgroup.strip().casefold() == wanted
    ]


def goal_series(coalition: Coalition, source: GoalSource, subgroup: str = "") -> list[dict]:
    """Every year of the goal's indicator for the whole jurisdiction (or one subgroup)."""
    if source.dataset is not None:
        return _local_points(coalition, source.dataset, subgroup)
    if not subgroup:
        return series_for(coalition, source.variable)
    gap = gap_baseline_for(coalition, source.variable, subgroup)
    return gap.group_series if gap else []


def goal_baseline(coalition: Coalition, source: GoalSource) -> tuple[float, int] | None:
    """(value, year) of the latest value of the whole jurisdiction, to prefill a goal."""
    if source.dataset is None:
        found = baseline_for(coalition, source.variable)
        return (found.value, found.year) if found and found.value is not None else None
    points = [p for p in _local_points(coalition, source.dataset, "") if p["value"] is not None]
    return (points[-1]["value"], points[-1]["year"]) if points else None


def goal_subgroups(coalition: Coalition, source: GoalSource) -> list[str]:
    """The subgroups the indicator has values for in the coalition's place (not "All")."""
    if source.dataset is not None:
        names = (
            LocalValue.objects.filter(dataset=source.dataset)
            .exclude(subgroup="")
            .values_list("area", "subgroup")
        )
        found = {sub.strip() for area, sub in names if is_whole_area(area, coalition)}
        return sorted(found - {"All", "all"})
    metric = metric_selectors.metrics_by_variable().get(source.variable)
    book = breakdowns_prefetch(coalition, [source.variable])
    if book.release is None or metric is None:
        return []
    groups = book.breakdowns.get(metric.pk, {})
    return sorted({g.name for gs in groups.values() for g in gs if g.name.casefold() != "all"})


def goal_gap_series(
    coalition: Coalition, source: GoalSource, subgroup: str
) -> tuple[list[dict], list[dict]]:
    """(the subgroup's series, the whole's series) for the gap chart; empty when none."""
    if source.dataset is not None:
        return (
            _local_points(coalition, source.dataset, subgroup),
            _local_points(coalition, source.dataset, ""),
        )
    gap = gap_baseline_for(coalition, source.variable, subgroup)
    return (gap.group_series, gap.whole_series) if gap else ([], [])


def goal_medians(coalition: Coalition, variable: str) -> tuple[str, dict[int, float]]:
    """The line a goal's chart compares with: the median of the coalition's peers by year
    when it chose peers, else the national median (county medians from Urban, city medians
    from our digest). ("", {}) without a metric or a release."""
    release = metric_selectors.release_active()
    metric = metric_selectors.metrics_by_variable().get(variable) if variable else None
    if release is None or metric is None:
        return "", {}
    peers, readings = request_memo(("goal_peers", coalition.pk), lambda: _peers(coalition, release))
    if peers:
        by_year: dict[int, list[float]] = {}
        for peer in peers:
            for year, reading in readings.get(peer.geography_id, {}).get(metric.pk, {}).items():
                if reading.number is not None:
                    by_year.setdefault(year, []).append(reading.number)
        medians = {y: float(statistics.median(v)) for y, v in sorted(by_year.items())}
        if medians:
            return str(_("Median of the peers")), medians
    kind = coalition.geography.kind
    medians_all = request_memo(
        ("medians", release.pk, kind), lambda: profile_selectors.medians_for(release, kind)
    )
    national = medians_all.get(metric.pk, {})
    return (str(_("National median")), dict(sorted(national.items()))) if national else ("", {})


def _peers(coalition: Coalition, release: Release) -> tuple[list, dict]:
    """The coalition's peers and their readings, for every goal of a page at once."""
    peers = profile_selectors.coalition_peers(coalition)
    if not peers:
        return [], {}
    places, readings, _medians = profile_selectors.peer_readings(coalition, peers, release)
    return peers, readings

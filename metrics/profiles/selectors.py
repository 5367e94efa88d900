"""The reads behind the profile pages, each in a fixed number of queries.

Whatever the number of geographies, years and releases, a profile costs one query for
the catalog, one for the overall subgroup, one for the place's observations and one for
the medians; peers add one for the digest and one for the peers' observations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from core.models import JobStatus
from metrics.models import (
    CoalitionPeer,
    Geography,
    LocalDataset,
    Metric,
    MetricImport,
    MetricNote,
    NationalBenchmark,
    Observation,
    Pillar,
    Release,
    ReleaseDigest,
    Subgroup,
)
from metrics.parsing import ALL_TYPE
from metrics.profiles.disparities import Gap, breakdown_gaps, sort_key
from metrics.profiles.reading import Reading, compare, subgroup_type_text
from metrics.selectors import release_active
from metrics.specification import specification_load

if TYPE_CHECKING:
    from coalitions.models import Coalition


def catalog_for(kind: str) -> list[Metric]:
    """Metrics Urban publishes for this kind of place, in framework order."""
    metrics = Metric.objects.select_related("predictor__pillar").order_by(
        "predictor__pillar__position", "predictor__position", "position"
    )
    return [m for m in metrics if kind in m.levels.split(",")]


def overall_subgroup() -> Subgroup | None:
    return Subgroup.objects.filter(subgroup_type=ALL_TYPE).first()


def _readings(rows) -> dict[int, list[Reading]]:
    by_metric: dict[int, list[Reading]] = defaultdict(list)
    for metric_id, year, value, a, b, lb, ub, quality in rows:
        by_metric[metric_id].append(Reading(year, value, a, b, lb, ub, quality))
    for readings in by_metric.values():
        readings.sort(key=lambda r: r.year)
    return by_metric


READING_FIELDS = ("metric_id", "year", "value", "value_a", "value_b", "lb", "ub", "quality")


def medians_for(release: Release, kind: str) -> dict[int, dict[int, float]]:
    """{metric id: {year: median}}: Urban's county medians, our city medians (see digest)."""
    if kind == "county":
        result: dict[int, dict[int, float]] = defaultdict(dict)
        for metric_id, year, value in NationalBenchmark.objects.filter(
            release=release, value__isnull=False
        ).values_list("metric_id", "year", "value"):
            if value is not None:  # filtered in SQL; narrows the type
                result[metric_id][year] = value
        return result
    digest = ReleaseDigest.objects.filter(release=release, kind=kind).only("medians").first()
    if digest is None:
        return {}
    ids = dict(Metric.objects.values_list("variable", "id"))
    return {
        ids[var]: {int(y): v for y, v in years.items() if v is not None}
        for var, years in digest.medians.items()
        if var in ids
    }


@dataclass
class MetricLine:
    metric: Metric
    series: list[Reading]
    medians: dict[int, float]
    include_weak: bool
    county: MetricLine | None = None  # the county's line, for a city that shows its county

    @property
    def latest(self) -> Reading | None:
        """The latest year with a value (a metric's years differ: not the file's last year)."""
        for reading in reversed(self.series):
            if reading.number is not None:
                return reading
        return None

    @property
    def hidden(self) -> bool:
        latest = self.latest
        return bool(latest and latest.is_weak and not self.include_weak)

    @property
    def shown(self) -> Reading | None:
        return None if self.hidden else self.latest

    @property
    def median(self) -> float | None:
        latest = self.latest
        return self.medians.get(latest.year) if latest else None

    @property
    def comparison(self) -> str | None:
        shown = self.shown
        if shown is None:
            return None
        return compare(shown.number, self.median, self.metric.direction, lb=shown.lb, ub=shown.ub)

    @property
    def trend(self) -> str | None:
        """'up', 'down' or 'flat' from the first to the latest shown value."""
        values = [
            r for r in self.series if r.number is not None and (self.include_weak or not r.is_weak)
        ]
        if len(values) < 2:
            return None
        first, last = values[0].number, values[-1].number
        assert first is not None and last is not None
        if abs(last - first) <= 0.01 * max(abs(first), 1e-9):
            return "flat"
        return "up" if last > first else "down"

    @property
    def years(self) -> str:
        years = [r.year for r in self.series if r.number is not None]
        return f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")


@dataclass
class LocalLine:
    """A coalition's own indicator shown beside Urban's metrics of its predictor."""

    dataset: object
    latest_year: int | None
    value: float | None  # the whole jurisdiction's value that year, when the file has one
    areas: int


@dataclass
class PredictorBlock:
    predictor: object
    lines: list[MetricLine] = field(default_factory=list)
    local: list[LocalLine] = field(default_factory=list)


@dataclass
class PillarBlock:
    pillar: Pillar
    predictors: list[PredictorBlock] = field(default_factory=list)


@dataclass
class Profile:
    geography: Geography
    release: Release | None
    pillars: list[PillarBlock]
    include_weak: bool
    medians_are_computed: bool
    county: Geography | None = None  # shown beside a city when its coalition chose to


def local_lines(coalition: Coalition) -> dict[int, list[LocalLine]]:
    """The coalition's loaded local datasets by predictor id, in two queries."""
    datasets = list(
        LocalDataset.objects.filter(coalition=coalition, status=JobStatus.SUCCEEDED)
        .prefetch_related("values")
        .order_by("name")
    )
    lines: dict[int, list[LocalLine]] = defaultdict(list)
    for dataset in datasets:
        values = [v for v in dataset.values.all() if not v.subgroup]
        latest = max((v.year for v in values), default=None)
        this_year = [v for v in values if v.year == latest]
        whole = next((v.value for v in this_year if is_whole_area(v.area, coalition)), None)
        lines[dataset.predictor_id].append(
            LocalLine(dataset, latest, whole, len({v.area for v in this_year}))
        )
    return lines


def is_whole_area(area: str, coalition: Coalition) -> bool:
    """Does a local dataset's area name the coalition's whole jurisdiction (not a sub-area)?"""
    geography = coalition.geography
    return area.strip().casefold() in {
        geography.fips,
        geography.name.casefold(),
        geography.full_name.casefold(),
        "all",
        "total",
    }


def geography_profile(
    geography: Geography, *, include_weak: bool = False, coalition: Coalition | None = None
) -> Profile:
    """Every metric of ``geography``; with ``coalition``, also that coalition's local data."""
    release = release_active()
    metrics = catalog_for(geography.kind)
    subgroup = overall_subgroup()
    readings: dict[int, list[Reading]] = {}
    medians: dict[int, dict[int, float]] = {}
    if release is not None and subgroup is not None:
        readings = _readings(
            Observation.objects.filter(
                release=release, geography=geography, subgroup=subgroup
            ).values_list(*READING_FIELDS)
        )
        medians = medians_for(release, geography.kind)
    pillars: dict[int, PillarBlock] = {}
    blocks: dict[int, PredictorBlock] = {}
    for metric in metrics:
        predictor = metric.predictor
        pillar_block = pillars.setdefault(predictor.pillar_id, PillarBlock(predictor.pillar))
        if predictor.pk not in blocks:
            blocks[predictor.pk] = PredictorBlock(predictor)
            pillar_block.predictors.append(blocks[predictor.pk])
        blocks[predictor.pk].lines.append(
            MetricLine(
                metric, readings.get(metric.pk, []), medians.get(metric.pk, {}), include_weak
            )
        )
    county = comparison_county(coalition) if coalition is not None else None
    if county is not None and release is not None and subgroup is not None:
        theirs = _readings(
            Observation.objects.filter(
                release=release, geography=county, subgroup=subgroup
            ).values_list(*READING_FIELDS)
        )
        for block in blocks.values():
            for line in block.lines:
                if "county" in line.metric.level_list:
                    line.county = MetricLine(
                        line.metric, theirs.get(line.metric.pk, []), {}, include_weak
                    )
    if coalition is not None:
        for predictor_id, lines in local_lines(coalition).items():
            if predictor_id in blocks:
                blocks[predictor_id].local = lines
    return Profile(
        geography=geography,
        release=release,
        pillars=list(pillars.values()),
        include_weak=include_weak,
        medians_are_computed=geography.kind != "county",
        county=county,
    )


def comparison_county(coalition: Coalition) -> Geography | None:
    """The county a city's coalition chose to see beside its own values (None: none chosen)."""
    if coalition.geography.kind != "city" or coalition.comparison_county_id is None:
        return None
    return coalition.comparison_county


@dataclass
class SubgroupSeries:
    subgroup_type: str
    name: str
    series: list[Reading]


def metric_subgroups(
    geography: Geography, metric: Metric, release: Release
) -> dict[str, list[SubgroupSeries]]:
    """Every breakdown of one metric for one place: {subgroup type: [series per subgroup]}."""
    rows = (
        Observation.objects.filter(release=release, geography=geography, metric=metric)
        .exclude(subgroup__subgroup_type=ALL_TYPE)
        .values_list("subgroup__subgroup_type", "subgroup__name", *READING_FIELDS[1:])
    )
    grouped: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for kind, name, year, value, a, b, lb, ub, quality in rows:
        grouped[(kind, name)].append(Reading(year, value, a, b, lb, ub, quality))
    result: dict[str, list[SubgroupSeries]] = defaultdict(list)
    for (kind, name), series in sorted(grouped.items()):
        series.sort(key=lambda r: r.year)
        if any(r.number is not None for r in series):
            result[kind].append(SubgroupSeries(kind, name, series))
    return dict(result)


@dataclass(frozen=True)
class MissingBreakdown:
    """A breakdown Urban publishes for a metric that this page cannot show, and why.

    ``reason``: "not_imported" (this installation has not imported the file holding it),
    "suppressed" (imported, but the place's values are missing or suppressed) or "weak"
    (every value for the place is rated Weak, and Weak values are hidden).
    """

    subgroup_type: str
    reason: str

    @property
    def label(self) -> str:
        return subgroup_type_text(self.subgroup_type)


@dataclass
class MissingBreakdowns:
    none_published: bool  # Urban publishes no breakdown of this metric at this level
    missing: list[MissingBreakdown]


def _imported_breakdowns(release: Release, metric: Metric, kind: str) -> set[str]:
    """Breakdowns of this metric the release holds for this kind of place (one query)."""
    found = set()
    for breakdown, variables in MetricImport.objects.filter(
        release=release, status=JobStatus.SUCCEEDED, geography_kind=kind
    ).values_list("breakdown", "variables"):
        # Imports made before the metrics were recorded: taken to hold every metric.
        if not variables or metric.variable in variables:
            found.add(breakdown)
    return found


def missing_breakdowns(
    geography: Geography,
    metric: Metric,
    shown: dict[str, list[SubgroupSeries]],
    *,
    include_weak: bool,
    release: Release | None = None,
) -> MissingBreakdowns:
    """Why a breakdown the technical specification lists is not on the metric's page.

    ``shown``: the place's breakdowns with values (``metric_subgroups``).
    """
    published = specification_load().breakdowns_of(metric.variable, geography.kind)
    release = release or release_active()
    if not published or release is None:
        return MissingBreakdowns(none_published=not published and not shown, missing=[])
    imported = _imported_breakdowns(release, metric, geography.kind)
    missing = []
    for kind in published:
        if kind in shown:
            series = [r for group in shown[kind] for r in group.series if r.number is not None]
            if not include_weak and all(r.is_weak for r in series):
                missing.append(MissingBreakdown(kind, "weak"))
        elif kind in imported:
            missing.append(MissingBreakdown(kind, "suppressed"))
        else:
            missing.append(MissingBreakdown(kind, "not_imported"))
    return MissingBreakdowns(none_published=False, missing=missing)


def metric_notes(coalition: Coalition, metric: Metric | None = None) -> QuerySet[MetricNote]:
    notes = MetricNote.objects.filter(coalition=coalition).select_related("author", "metric")
    return notes.filter(metric=metric) if metric is not None else notes


def metric_series(geography: Geography, metric: Metric, release: Release) -> list[Reading]:
    """One metric for one place over the years, overall (subgroup All)."""
    subgroup = overall_subgroup()
    if subgroup is None:
        return []
    rows = Observation.objects.filter(
        release=release, geography=geography, metric=metric, subgroup=subgroup
    ).values_list(*READING_FIELDS)
    return sorted((Reading(*row[1:]) for row in rows), key=lambda r: r.year)


def coalition_peers(coalition: Coalition) -> list[CoalitionPeer]:
    """The places a coalition chose to compare itself with, in the order it chose them."""
    return list(CoalitionPeer.objects.filter(coalition=coalition).select_related("geography"))


def peer_readings(
    coalition: Coalition, peers: list[CoalitionPeer], release: Release | None
) -> tuple[list[Geography], dict[int, dict[int, dict[int, Reading]]], dict[int, dict[int, float]]]:
    """The coalition's place and its peers, {place: {metric: {year: reading}}}, the medians.

    Only the coalition's own peers are read (another coalition's are ignored).
    """
    subgroup = overall_subgroup()
    if not release or not subgroup:
        return [], {}, {}
    peers = [p for p in peers if p.coalition_id == coalition.pk]
    places = [coalition.geography, *[p.geography for p in peers]]
    readings: dict[int, dict[int, dict[int, Reading]]] = {g.pk: {} for g in places}
    for geo_id, metric_id, year, value, a, b, lb, ub, quality in Observation.objects.filter(
        release=release, subgroup=subgroup, geography_id__in=[g.pk for g in places]
    ).values_list("geography_id", *READING_FIELDS):
        readings[geo_id].setdefault(metric_id, {})[year] = Reading(
            year, value, a, b, lb, ub, quality
        )
    return places, readings, medians_for(release, coalition.geography.kind)


@dataclass
class Disparities:
    geography: Geography
    release: Release | None
    gaps: list[Gap]  # sorted: worse-off groups first, largest first (see disparities.sort_key)
    disaggregated: list[Metric]  # metrics with subgroup values for this place
    not_disaggregated: list[Metric]  # metrics of this kind of place with no breakdown here
    include_weak: bool


def geography_disparities(geography: Geography, *, include_weak: bool = False) -> Disparities:
    """Every subgroup's gap to the whole for every metric of ``geography``, in four queries."""
    release = release_active()
    metrics = catalog_for(geography.kind)
    if release is None:
        return Disparities(geography, None, [], [], metrics, include_weak)
    by_metric: dict[int, dict[str, dict[str, list[Reading]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    rows = (
        Observation.objects.filter(release=release, geography=geography)
        .exclude(subgroup__subgroup_type=ALL_TYPE)
        .values_list("metric_id", "subgroup__subgroup_type", "subgroup__name", *READING_FIELDS[1:])
    )
    for metric_id, kind, name, year, value, a, b, lb, ub, quality in rows:
        by_metric[metric_id][kind][name].append(Reading(year, value, a, b, lb, ub, quality))
    subgroup = overall_subgroup()
    overall = (
        _readings(
            Observation.objects.filter(
                release=release,
                geography=geography,
                subgroup=subgroup,
                metric_id__in=list(by_metric),
            ).values_list(*READING_FIELDS)
        )
        if subgroup is not None and by_metric
        else {}
    )
    gaps: list[Gap] = []
    with_data: list[Metric] = []
    without: list[Metric] = []
    for metric in metrics:
        breakdowns = by_metric.get(metric.pk, {})
        valued = {
            kind: groups
            for kind, groups in breakdowns.items()
            if any(r.number is not None for n, s in groups.items() if n.lower() != "all" for r in s)
        }
        (with_data if valued else without).append(metric)
        for kind, groups in sorted(valued.items()):
            gaps.extend(
                breakdown_gaps(
                    metric, kind, groups, overall.get(metric.pk, []), include_weak=include_weak
                )
            )
    gaps.sort(key=sort_key)
    return Disparities(geography, release, gaps, with_data, without, include_weak)


def gap_notes(coalition: Coalition) -> QuerySet[MetricNote]:
    """The gaps the coalition's members pinned (notes with a subgroup), newest first."""
    return metric_notes(coalition).exclude(subgroup="")

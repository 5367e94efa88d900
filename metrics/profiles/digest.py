"""Statistics derived from a release, rebuilt after each import (in the worker).

- City medians: Urban publishes population-weighted national medians for counties only;
  for cities we compute the same statistic across the cities of the release, with Urban's
  rule that a median is left out when more than 15% of the population has no value or a
  Weak one. Pages say which medians are ours.
- Peer features: for every geography still in the data, its size (log of population) and
  its latest non-Weak value of a set of broad metrics, standardised across places of the
  same kind, so similarity is one vector distance.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.db import transaction

from metrics.models import Geography, Metric, Observation, Release, ReleaseDigest, Subgroup
from metrics.quality import WEAK

FEATURE_METRICS = (
    "pctl_income_20",
    "pctl_income_50",
    "share_employed",
    "share_in_preschool",
    "share_hs_degree",
    "share_digital_access",
    "share_affordable_available_50_ami",
    "share_poverty_exposure",
    "share_transit_commuter",
    "share_homeless",
    "share_election_turnout",
    "index_air_hazard",
)
POPULATION_FEATURE = "log_population"
MISSING_SHARE_LIMIT = 0.15


def weighted_median(pairs: list[tuple[float, float]]) -> float | None:
    """Median of values weighted by population: pairs of (value, weight)."""
    pairs = sorted((v, w) for v, w in pairs if w > 0)
    total = sum(w for _, w in pairs)
    if not total:
        return None
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= total / 2:
            return value
    return pairs[-1][0]


def _population(geography: Geography, year: int) -> float:
    pop = geography.population or {}
    if str(year) in pop:
        return float(pop[str(year)])
    return float(geography.latest_population or 0)


def _medians(rows, geographies: dict[int, Geography], metrics: dict[int, str]) -> dict:
    values: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for geo_id, metric_id, year, number, quality in rows:
        if number is not None and quality != WEAK:
            values[(metric_id, year)].append((number, _population(geographies[geo_id], year)))
    medians: dict[str, dict[str, float | None]] = defaultdict(dict)
    for (metric_id, year), pairs in values.items():
        total = sum(_population(g, year) for g in geographies.values() if _exists(g, year))
        covered = sum(w for _, w in pairs)
        ok = total and (total - covered) / total <= MISSING_SHARE_LIMIT
        medians[metrics[metric_id]][str(year)] = weighted_median(pairs) if ok else None
    return medians


def _exists(geography: Geography, year: int) -> bool:
    first, last = geography.first_year or 0, geography.last_year or 9999
    return first <= year <= last


def _features(rows, geographies: dict[int, Geography], metrics: dict[int, str], latest_year: int):
    latest: dict[tuple[int, str], tuple[int, float]] = {}
    for geo_id, metric_id, year, number, quality in rows:
        variable = metrics[metric_id]
        if number is None or quality == WEAK or variable not in FEATURE_METRICS:
            continue
        key = (geo_id, variable)
        if key not in latest or latest[key][0] < year:
            latest[key] = (year, number)
    names = [POPULATION_FEATURE, *FEATURE_METRICS]
    current = {pk: g for pk, g in geographies.items() if (g.last_year or 0) >= latest_year}
    raw: dict[str, list[float | None]] = {}
    for pk, geography in current.items():
        pop = geography.latest_population
        vector: list[float | None] = [math.log10(pop) if pop else None]
        vector += [latest[(pk, v)][1] if (pk, v) in latest else None for v in FEATURE_METRICS]
        raw[geography.fips] = vector
    return names, _standardise(raw, len(names))


def _standardise(raw: dict[str, list[float | None]], width: int) -> dict[str, list[float | None]]:
    for i in range(width):
        column = [float(x) for v in raw.values() if (x := v[i]) is not None]
        if len(column) < 2:
            for v in raw.values():
                v[i] = None
            continue
        mean = sum(column) / len(column)
        sd = math.sqrt(sum((x - mean) ** 2 for x in column) / (len(column) - 1)) or 1.0
        for v in raw.values():
            if v[i] is not None:
                v[i] = round((v[i] - mean) / sd, 4)  # type: ignore[operator]
    return raw


def release_digest_build(*, release: Release, kind: str) -> ReleaseDigest:
    """Rebuild the digest of one release and kind of place (idempotent)."""
    geographies = {g.pk: g for g in Geography.objects.filter(kind=kind)}
    metrics = dict(Metric.objects.values_list("id", "variable"))
    subgroup = Subgroup.objects.filter(subgroup_type="all").first()
    rows: list[tuple] = []
    observations = Observation.objects.filter(release=release, subgroup=subgroup)
    if kind == "county":
        # Urban publishes county medians; only the peer features are computed here.
        wanted = [pk for pk, variable in metrics.items() if variable in FEATURE_METRICS]
        observations = observations.filter(metric_id__in=wanted)
    if subgroup is not None:
        for geo_id, metric_id, year, value, a, b, quality in observations.filter(
            geography_id__in=list(geographies)
        ).values_list(
            "geography_id", "metric_id", "year", "value", "value_a", "value_b", "quality"
        ):
            number = value if value is not None else (a / b if a is not None and b else None)
            rows.append((geo_id, metric_id, year, number, quality))
    latest_year = max((r[2] for r in rows), default=0)
    names, features = _features(rows, geographies, metrics, latest_year)
    medians = _medians(rows, geographies, metrics) if kind != "county" else {}
    with transaction.atomic():
        digest, _ = ReleaseDigest.objects.update_or_create(
            release=release,
            kind=kind,
            defaults={"medians": medians, "feature_names": names, "features": features},
        )
    return digest


def release_digests_build(*, release: Release) -> list[ReleaseDigest]:
    return [release_digest_build(release=release, kind=kind) for kind in ("county", "city")]

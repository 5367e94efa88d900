"""Suggest peer jurisdictions by similarity, each with a plain reason."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.utils.translation import gettext as _

from metrics.models import Geography, Metric, Release, ReleaseDigest
from metrics.profiles.regions import REGION_NAMES, region_of

POPULATION_WEIGHT = 2.0
REGION_WEIGHT = 1.0
MIN_SHARED = 4


@dataclass
class Suggestion:
    geography: Geography
    distance: float
    reason: str


@dataclass(frozen=True)
class _Matrix:
    names: list[str]
    fips: list[str]
    index: dict[str, int]
    values: np.ndarray  # places × features, NaN where missing
    regions: np.ndarray  # region code per place


REGION_CODES = {"northeast": 0, "midwest": 1, "south": 2, "west": 3}


@lru_cache(maxsize=4)
def _matrix(digest_id: int, built_at: str) -> _Matrix:
    # Cached per process and rebuilt when the digest changes (its built_at moves on).
    digest = ReleaseDigest.objects.get(pk=digest_id)
    fips = list(digest.features)
    rows = [[np.nan if v is None else v for v in digest.features[f]] for f in fips]
    values = np.array(rows, dtype=float).reshape(len(fips), len(digest.feature_names))
    regions = np.array([REGION_CODES.get(region_of(f[:2]) or "", -1) for f in fips])
    index = {f: i for i, f in enumerate(fips)}
    return _Matrix(list(digest.feature_names), fips, index, values, regions)


def peer_cache_clear() -> None:
    """Forget the cached feature matrices (benchmarks measure a cold start with it)."""
    _matrix.cache_clear()


def _distances(m: _Matrix, home: int) -> tuple[np.ndarray, np.ndarray]:
    """Distance of every place to ``home`` and the per-feature gaps, vectorised."""
    profile = m.values[:, 1:]
    gaps = np.abs(profile - profile[home])  # NaN where either side is missing
    shared = np.sum(~np.isnan(gaps), axis=1)
    # Too few metrics in common (small places often lack them): rank by size and region,
    # behind every place whose profile could be compared.
    mean_sq = np.where(
        shared >= MIN_SHARED, np.nansum(gaps**2, axis=1) / np.maximum(shared, 1), 2.0
    )
    size = (m.values[:, 0] - m.values[home, 0]) ** 2
    region = (m.regions != m.regions[home]).astype(float)
    total = np.sqrt(mean_sq + POPULATION_WEIGHT * size + REGION_WEIGHT * region)
    total[home] = np.inf
    total[np.isnan(total)] = np.inf
    gaps[shared < MIN_SHARED] = np.nan
    return total, gaps


def _people(n: int | None) -> str:
    if not n:
        return _("unknown")
    if n >= 1_000_000:
        return _("%(n).1f million") % {"n": n / 1_000_000}
    return f"{round(n, -3 if n >= 10000 else -2):,}"


def suggest_peers(
    geography: Geography, release: Release, *, limit: int = 8, exclude: set[int] | None = None
) -> list[Suggestion]:
    """The places of the same kind closest to ``geography`` in size, region and profile."""
    digest = (
        ReleaseDigest.objects.filter(release=release, kind=geography.kind)
        .values_list("pk", "built_at")
        .first()
    )
    if digest is None:
        return []
    m = _matrix(digest[0], str(digest[1]))
    home = m.index.get(geography.fips)
    if home is None:
        return []
    total, gaps = _distances(m, home)
    exclude = exclude or set()
    order = [
        i
        for i in np.argsort(total, kind="stable")[: limit + len(exclude) + 1]
        if np.isfinite(total[i])
    ]
    places = {g.fips: g for g in Geography.objects.filter(fips__in=[m.fips[i] for i in order])}
    labels = {x.variable: x.label for x in Metric.objects.filter(variable__in=m.names)}
    suggestions = []
    for i in order:
        place = places.get(m.fips[i])
        if place is None or place.pk in exclude:
            continue
        row = gaps[i]
        closest = [int(j) + 1 for j in np.argsort(row)[:3] if not np.isnan(row[j])]
        reason = _reason(geography, place, closest, m.names, labels)
        suggestions.append(Suggestion(place, float(total[i]), reason))
        if len(suggestions) == limit:
            break
    return suggestions


def _reason(
    home: Geography, peer: Geography, closest: list[int], names: list[str], labels: dict
) -> str:
    parts = []
    if peer.latest_population and home.latest_population:
        parts.append(
            _("about %(peer)s people (yours: %(home)s)")
            % {"peer": _people(peer.latest_population), "home": _people(home.latest_population)}
        )
    region = region_of(peer.state_fips)
    if region and region == region_of(home.state_fips):
        parts.append(_("also in %(region)s") % {"region": REGION_NAMES[region]})
    metrics = [str(labels.get(names[i], names[i])).lower() for i in closest]
    if metrics:
        parts.append(_("close on %(metrics)s") % {"metrics": "; ".join(metrics)})
    if not parts:
        return _("Similar in its Mobility Metrics.")
    return _("Similar: %(parts)s.") % {"parts": ", ".join(parts)}

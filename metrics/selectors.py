"""Reads of metric data and geographies."""

from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from core.models import BackgroundJob, JobStatus
from core.request_cache import request_memo
from metrics.models import (
    Geography,
    LocalDataset,
    Metric,
    MetricImport,
    Observation,
    Release,
)
from metrics.parsing import YEAR_RANGE

if TYPE_CHECKING:
    from coalitions.models import Coalition


def fold(text: str) -> str:
    """Lower case without accents, so “dona ana” finds “Doña Ana”."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _search_index() -> tuple[tuple[int, str], ...]:
    # About 3,600 rows that change only with a migration: kept in memory per process.
    rows = Geography.objects.values_list("pk", "name", "state_name", "fips", "kind")
    return tuple(
        (pk, fold(f"{name} {state} {fips} {kind}")) for pk, name, state, fips, kind in rows
    )


def _matching_ids(words: list[str]) -> list[int]:
    ids = [pk for pk, text in _search_index() if all(w in text for w in words)]
    if not ids:
        _search_index.cache_clear()  # the table may have been loaded since the index was built
        ids = [pk for pk, text in _search_index() if all(w in text for w in words)]
    return ids


def _words(query: str) -> list[str]:
    return fold(query.replace(",", " ")).split()


def geography_search_matches(query: str, *, limit: int = 20) -> list[Geography]:
    """Counties and cities whose name, state or FIPS code contain every word of the query."""
    words = _words(query)
    if not words or len("".join(words)) < 2:
        return []
    ids = _matching_ids(words)
    return list(Geography.objects.filter(pk__in=ids[:500]).order_by("name", "state_name")[:limit])


def release_active() -> Release | None:
    """The release pages read (once per request: every helper of a page asks for it)."""
    return request_memo("release_active", _release_active)


def _release_active() -> Release | None:
    return Release.objects.filter(is_active=True).first()


def metrics_by_variable() -> dict[str, Metric]:
    """The metric catalog as stored, by variable name: one query per request."""
    return request_memo(
        "metrics_by_variable",
        lambda: {
            m.variable: m for m in Metric.objects.select_related("predictor").order_by("position")
        },
    )


def years_condition(year: int | None = None) -> Q:
    """The years of a read of one geography, as the observation key wants them.

    PostgreSQL keys each release's table by (geography, metric, subgroup, year): a range
    is one seek. SQLite's single table is keyed by (release, year, geography, ...): there
    a range would read every row of the release, so the years are named one by one and it
    seeks once per year.
    """
    if year is not None:
        return Q(year=year)
    if connection.vendor == "postgresql":
        return Q(year__gte=YEAR_RANGE[0], year__lte=YEAR_RANGE[1])
    return Q(year__in=list(range(YEAR_RANGE[0], YEAR_RANGE[1] + 1)))


def releases_with_counts() -> QuerySet[Release]:
    return (
        Release.objects.select_related("activated_by")
        .annotate(
            import_count=Count("imports"),
            imported=Count("imports", filter=Q(imports__status=JobStatus.SUCCEEDED)),
        )
        .order_by("-name")
    )


def metrics_catalog() -> QuerySet[Metric]:
    return Metric.objects.select_related("predictor__pillar").order_by("position")


def geographies_search(*, query: str = "", kind: str = "") -> QuerySet[Geography]:
    """Every geography whose name, state or FIPS code contains each word (accents folded)."""
    geographies = Geography.objects.all()
    if kind:
        geographies = geographies.filter(kind=kind)
    words = _words(query)
    if words:
        geographies = geographies.filter(pk__in=_matching_ids(words))
    return geographies.order_by("state_name", "name")


def observations_for_geography(
    *,
    geography: Geography,
    release: Release | None,
    metric: str = "",
    year: int | None = None,
    subgroup_type: str = "",
    latest: bool = False,
) -> QuerySet[Observation]:
    """Observations of one geography in one release (the active one unless given).

    ``latest`` keeps, per metric and subgroup, the latest year that has a value: metrics
    have different years (quirk 8), so the file's last year is often empty.
    """
    if release is None:
        return Observation.objects.none()
    years = years_condition(year)
    rows = Observation.objects.filter(years, release=release, geography=geography)
    if latest:
        latest_year = (
            Observation.objects.filter(
                years,
                release=release,
                geography=geography,
                metric=OuterRef("metric"),
                subgroup=OuterRef("subgroup"),
                value__isnull=False,
            )
            .order_by("-year")
            .values("year")[:1]
        )
        rows = rows.filter(value__isnull=False, year=Subquery(latest_year))
    if metric:
        rows = rows.filter(metric__variable=metric)
    if subgroup_type:
        rows = rows.filter(subgroup__subgroup_type=subgroup_type)
    return rows.select_related("metric", "subgroup").order_by(
        "metric__position", "subgroup__subgroup_type", "subgroup__name", "year"
    )


def metric_imports_recent(limit: int = 50) -> QuerySet[MetricImport]:
    return MetricImport.objects.select_related("release", "started_by").order_by("-created_at")[
        :limit
    ]


def metric_import_errors(job: BackgroundJob, limit: int = 200) -> list[dict[str, str]]:
    """The error report as rows (row, column, message), for pages and the API."""
    if not job.error_report:
        return []
    reader = csv.DictReader(io.StringIO(job.error_report))
    return [row for _, row in zip(range(limit), reader, strict=False)]


def local_datasets_for_coalition(coalition: Coalition) -> QuerySet[LocalDataset]:
    return LocalDataset.objects.filter(coalition=coalition).select_related("predictor__pillar")

"""Reads of the metrics app: the catalog, geographies, observations and imports."""

from __future__ import annotations

import csv
import io

from django.db.models import Prefetch, Q, QuerySet

from metrics.models import (
    Geography,
    Metric,
    MetricImport,
    Observation,
    Pillar,
    Predictor,
    Release,
)


def release_active() -> Release | None:
    return Release.objects.filter(is_active=True).first()


def catalog_pillars() -> QuerySet[Pillar]:
    predictors = Predictor.objects.order_by("position").prefetch_related(
        Prefetch("metrics", queryset=Metric.objects.order_by("position"))
    )
    return Pillar.objects.prefetch_related(Prefetch("predictors", queryset=predictors))


def metrics_catalog() -> QuerySet[Metric]:
    return Metric.objects.select_related("predictor__pillar").order_by("position")


def geographies_search(*, query: str = "", kind: str = "") -> QuerySet[Geography]:
    geographies = Geography.objects.all()
    if kind:
        geographies = geographies.filter(kind=kind)
    query = query.strip()
    if query.isdigit():
        geographies = geographies.filter(fips__startswith=query)
    elif query:
        for word in query.replace(",", " ").split():
            geographies = geographies.filter(
                Q(name__icontains=word) | Q(state_name__icontains=word)
            )
    return geographies.order_by("state_name", "name")


def observations_for_geography(
    *,
    geography: Geography,
    release: Release | None,
    metric: str = "",
    year: int | None = None,
    subgroup_type: str = "",
) -> QuerySet[Observation]:
    """Observations of one geography in one release (the active one unless given)."""
    if release is None:
        return Observation.objects.none()
    rows = Observation.objects.filter(release=release, geography=geography)
    if metric:
        rows = rows.filter(metric__variable=metric)
    if year is not None:
        rows = rows.filter(year=year)
    if subgroup_type:
        rows = rows.filter(subgroup__subgroup_type=subgroup_type)
    return rows.select_related("metric", "subgroup").order_by(
        "metric__position", "subgroup__subgroup_type", "subgroup__name", "year"
    )


def metric_imports_recent(limit: int = 50) -> QuerySet[MetricImport]:
    return MetricImport.objects.select_related("release", "started_by").order_by("-created_at")[
        :limit
    ]


def metric_import_errors(job: MetricImport, limit: int = 200) -> list[dict[str, str]]:
    """The error report as rows (row, column, message), for pages and the API."""
    if not job.error_report:
        return []
    reader = csv.DictReader(io.StringIO(job.error_report))
    return [row for _, row in zip(range(limit), reader, strict=False)]

"""Store the shipped catalog in the database; used by a data migration and by services.

It takes the model classes as arguments so the migration can pass its historical models.
Idempotent: running it again updates names and descriptions and adds what is new.
"""

from __future__ import annotations

from typing import Any

from metrics.catalog import Catalog, catalog_load


def catalog_store(
    *, pillar_model: Any, predictor_model: Any, metric_model: Any, catalog: Catalog | None = None
) -> int:
    catalog = catalog or catalog_load()
    predictors = {}
    for p_index, pillar in enumerate(catalog.pillars):
        pillar_row, _ = pillar_model.objects.update_or_create(
            slug=pillar.slug,
            defaults={"name": pillar.name, "description": pillar.description, "position": p_index},
        )
        for index, pred in enumerate(pillar.predictors):
            predictors[pred.slug], _ = predictor_model.objects.update_or_create(
                slug=pred.slug,
                defaults={
                    "pillar": pillar_row,
                    "name": pred.name,
                    "description": pred.description,
                    "position": p_index * 10 + index,
                },
            )
    for index, spec in enumerate(catalog.metrics):
        metric_model.objects.update_or_create(
            variable=spec.variable,
            defaults={
                "predictor": predictors[spec.predictor],
                "label": spec.label,
                "unit": spec.unit,
                "direction": spec.direction,
                "description": spec.description,
                "has_bounds": spec.has_bounds,
                "has_quality": spec.has_quality,
                "caveat": spec.caveat,
                "levels": ",".join(spec.levels),
                "position": index,
            },
        )
    return len(catalog.metrics)

"""The metric catalog shipped in ``metrics/data/catalog.yaml``: loaded and validated here.

Plain Python (no Django), so the parser and its tests can use it without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from core.content_translation import SOURCE_LANGUAGE, Report, load_translated, translation_path

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "catalog.yaml"

UNITS = frozenset(
    {
        "share",
        "ratio",
        "dollars",
        "count",
        "per_100k",
        "per_10k",
        "per_100_households",
        "index",
        "grade_levels",
        "people_per_physician",
        "text_ratio",
    }
)
DIRECTIONS = frozenset({"higher", "lower", "parity", "none"})
SURVEYS = frozenset({"", "acs_1year"})
LEVELS = frozenset({"county", "city"})
# Pillar and predictor keys. The planning guide (plans/data/framework.yaml) uses the same ones,
# so a predictor chosen in a worksheet joins straight to its metrics.
SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class PredictorSpec:
    slug: str
    name: str
    description: str
    pillar: str


@dataclass(frozen=True)
class PillarSpec:
    slug: str
    name: str
    description: str
    predictors: tuple[PredictorSpec, ...]


@dataclass(frozen=True)
class MetricSpec:
    variable: str
    label: str
    predictor: str
    unit: str
    direction: str
    description: str
    has_bounds: bool
    has_quality: bool
    range: tuple[float, float] | None = None
    zero_means: str = ""
    aliases: tuple[str, ...] = ()
    quality_aliases: tuple[str, ...] = ()
    levels: tuple[str, ...] = ("county", "city")
    caveat: str = ""
    survey: str = ""

    @property
    def accepts_text_ratio(self) -> bool:
        """2024 files wrote house-value ratios as "20.8%:27.5%" and physicians as "2235:1"."""
        return self.unit in ("text_ratio", "people_per_physician")


@dataclass(frozen=True)
class Catalog:
    pillars: tuple[PillarSpec, ...]
    metrics: tuple[MetricSpec, ...]
    by_variable: dict[str, MetricSpec] = field(default_factory=dict, compare=False)

    @property
    def predictors(self) -> tuple[PredictorSpec, ...]:
        return tuple(pred for pillar in self.pillars for pred in pillar.predictors)


def _metric(raw: dict, predictors: set[str]) -> MetricSpec:
    variable = raw["variable"]
    if raw["predictor"] not in predictors:
        raise CatalogError(f"{variable}: unknown predictor {raw['predictor']!r}")
    if raw["unit"] not in UNITS:
        raise CatalogError(f"{variable}: unknown unit {raw['unit']!r}")
    if raw["direction"] not in DIRECTIONS:
        raise CatalogError(f"{variable}: unknown direction {raw['direction']!r}")
    if raw.get("zero_means", "") not in ("", "missing", "worst"):
        raise CatalogError(f"{variable}: zero_means must be missing or worst")
    levels = tuple(raw.get("levels") or ("county", "city"))
    if not set(levels) <= LEVELS:
        raise CatalogError(f"{variable}: unknown level in {levels}")
    if raw.get("survey", "") not in SURVEYS:
        raise CatalogError(f"{variable}: unknown survey {raw['survey']!r}")
    bounds = raw.get("range")
    return MetricSpec(
        variable=variable,
        label=raw["label"],
        predictor=raw["predictor"],
        unit=raw["unit"],
        direction=raw["direction"],
        description=raw["description"],
        has_bounds=bool(raw["has_bounds"]),
        has_quality=bool(raw["has_quality"]),
        range=(float(bounds[0]), float(bounds[1])) if bounds else None,
        zero_means=raw.get("zero_means", ""),
        aliases=tuple(raw.get("aliases") or ()),
        quality_aliases=tuple(raw.get("quality_aliases") or ()),
        levels=levels,
        caveat=raw.get("caveat", ""),
        survey=raw.get("survey", ""),
    )


def catalog_parse(data: dict) -> Catalog:
    pillars = []
    for raw_pillar in data["pillars"]:
        preds = tuple(
            PredictorSpec(p["slug"], p["name"], p["description"], raw_pillar["slug"])
            for p in raw_pillar["predictors"]
        )
        pillars.append(
            PillarSpec(raw_pillar["slug"], raw_pillar["name"], raw_pillar["description"], preds)
        )
    predictor_slugs = {p.slug for pillar in pillars for p in pillar.predictors}
    for slug in (*(p.slug for p in pillars), *predictor_slugs):
        if not SLUG.match(slug):
            raise CatalogError(f"{slug!r} is not a slug (lower case, digits and hyphens)")
    if len(pillars) != 5 or len(predictor_slugs) != 24:
        raise CatalogError("the framework has 5 pillars and 24 predictors")
    metrics = tuple(_metric(raw, predictor_slugs) for raw in data["metrics"])
    by_variable = {m.variable: m for m in metrics}
    if len(by_variable) != len(metrics):
        raise CatalogError("a metric variable is listed twice")
    names = [name for m in metrics for name in (m.variable, *m.aliases)]
    if len(names) != len(set(names)):
        raise CatalogError("an alias repeats a variable or another alias")
    return Catalog(tuple(pillars), metrics, by_variable)


@cache
def catalog_load(path: Path = CATALOG_PATH, language: str = SOURCE_LANGUAGE) -> Catalog:
    """The catalog; with ``language``, its names and descriptions in that language where
    translated (``metrics/data/<language>/catalog.yaml``), English otherwise."""
    data, _report = load_translated(path, language)
    return catalog_parse(data)


def catalog_language() -> str:
    """The active language if the catalog has a translation for it, else English."""
    try:
        from django.conf import settings
        from django.utils import translation
    except ImportError:  # pragma: no cover - Django is a project dependency
        return SOURCE_LANGUAGE
    if not settings.configured:
        return SOURCE_LANGUAGE
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return active if translation_path(CATALOG_PATH, active).exists() else SOURCE_LANGUAGE


def catalog_local() -> Catalog:
    """The catalog in the reader's (active) language."""
    return catalog_load(CATALOG_PATH, catalog_language())


def catalog_translation_report(language: str) -> Report:
    return load_translated(CATALOG_PATH, language)[1]


def official_names() -> dict[str, str]:
    """Every pillar, predictor (by slug) and metric (by variable) with its Urban Institute
    name in English, which readers need to find it in Urban's files and dashboard."""
    catalog = catalog_load()
    names = {p.slug: p.name for p in catalog.pillars}
    names.update({p.slug: p.name for p in catalog.predictors})
    names.update({m.variable: m.label for m in catalog.metrics})
    return names


def missing_year_reasons(variable: str) -> dict[int, str]:
    """Why a metric has no value for a year inside its series, where the reason is known."""
    from metrics.i18n import gettext as _

    spec = catalog_load().by_variable.get(variable)
    if spec is None or spec.survey != "acs_1year":
        return {}
    return {
        2020: _(
            "The Census Bureau published no standard 1-year American Community Survey "
            "estimates for 2020, because the pandemic disrupted its data collection."
        )
    }

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BackgroundJob
from metrics import quality


class GeographyKind(models.TextChoices):
    COUNTY = "county", _("County")
    CITY = "city", _("City")


class Geography(models.Model):
    """A county (5-digit FIPS) or city (7-digit state+place FIPS) of the Mobility Metrics.

    Names come from the project's own FIPS list (metrics/data/geographies.csv), never from
    an imported file. Connecticut's planning regions and Alaska's 2020 split are
    geographies of their own; first_year/last_year say when each exists in the data.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=GeographyKind.choices)
    fips = models.CharField(_("FIPS code"), max_length=7, unique=True)
    state_fips = models.CharField(_("state FIPS"), max_length=2)
    state_name = models.CharField(_("state"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    # Residents by year, {"2023": 219561, ...}, from the Urban files' population column.
    population = models.JSONField(_("population by year"), default=dict, blank=True)

    class Meta:
        verbose_name = _("geography")
        verbose_name_plural = _("geographies")
        ordering = ("state_name", "name")
        indexes = [models.Index(fields=["kind", "state_fips"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.state_name}"

    @property
    def latest_population(self) -> int | None:
        if not self.population:
            return None
        return self.population[max(self.population, key=int)]


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    PARITY = "parity", _("Closer to parity is better")
    NONE = "none", _("Context only")


class Quality(models.IntegerChoices):
    """Urban's quality flag; codes and labels from ``metrics.quality``."""

    STRONG = quality.STRONG, quality.LABELS[quality.STRONG]
    MARGINAL = quality.MARGINAL, quality.LABELS[quality.MARGINAL]
    WEAK = quality.WEAK, quality.LABELS[quality.WEAK]


def _catalog_words(model: str, key: str) -> dict[str, str]:
    """The reader's-language words of a pillar, predictor or metric, from the catalog file."""
    from metrics.catalog import catalog_language, catalog_local

    if catalog_language() == "en":
        return {}
    catalog = catalog_local()
    if model == "metric":
        spec = catalog.by_variable.get(key)
        if spec is None:
            return {}
        return {"label": spec.label, "description": spec.description, "caveat": spec.caveat}
    rows = catalog.pillars if model == "pillar" else catalog.predictors
    row = next((r for r in rows if r.slug == key), None)
    return {"name": row.name, "description": row.description} if row else {}


class CatalogText(models.Model):
    """Rows whose names and descriptions come from ``metrics/data/catalog.yaml``.

    The database keeps the English (Urban's official names); a row read from it carries the
    words of the active language (``metrics/data/<lang>/catalog.yaml``), so every page, chart,
    export and API response that shows ``metric.label`` or ``predictor.name`` follows the
    reader. ``official`` keeps the English, for readers who look the name up at Urban."""

    catalog_key_field = "slug"
    # Field -> English stored, and field -> the reader's words, for rows read in another language.
    official: dict[str, str]
    _local_words: dict[str, str]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The translated words are for reading: never let them replace the English stored.
        local: dict[str, str] = getattr(self, "_local_words", {})
        for name, text in local.items():
            if getattr(self, name) == text:
                setattr(self, name, self.official[name])
        super().save(*args, **kwargs)
        for name, text in local.items():
            if getattr(self, name) == self.official[name]:
                setattr(self, name, text)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        key = instance.__dict__.get(cls.catalog_key_field)
        words = _catalog_words(cls._meta.model_name or "", key) if key else {}
        instance.official = {}
        instance._local_words = {}
        for name, text in words.items():
            if name in instance.__dict__ and text:
                instance.official[name] = instance.__dict__[name]
                instance._local_words[name] = text
                setattr(instance, name, text)
        return instance

    def official_text(self, name: str) -> str:
        """The English of a catalog field (what Urban's files call it)."""
        return getattr(self, "official", {}).get(name) or getattr(self, name)


class Pillar(CatalogText):
    """One of the five pillars of Urban's Upward Mobility Framework (from catalog.yaml)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ("position",)

    def __str__(self) -> str:
        return self.name


class Predictor(CatalogText):
    """One of the 24 predictors; a predictor can own several metric variables."""

    pillar = models.ForeignKey(
        Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, related_name="predictors"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("predictor")
        verbose_name_plural = _("predictors")
        ordering = ("position",)

    def __str__(self) -> str:
        return self.name


class Metric(CatalogText):
    """A metric variable of the Urban files (e.g. ``share_employed``), from catalog.yaml."""

    catalog_key_field = "variable"

    predictor = models.ForeignKey(
        Predictor, verbose_name=_("predictor"), on_delete=models.PROTECT, related_name="metrics"
    )
    variable = models.CharField(_("variable"), max_length=80, unique=True)
    label = models.CharField(_("label"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    description = models.TextField(_("description"), blank=True)
    has_bounds = models.BooleanField(_("has confidence bounds"), default=False)
    has_quality = models.BooleanField(_("has a quality flag"), default=True)
    caveat = models.TextField(_("caveat"), blank=True)
    levels = models.CharField(_("published for"), max_length=30, default="county,city")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ("position",)

    def __str__(self) -> str:
        return self.label

    @property
    def level_list(self) -> list[str]:
        return self.levels.split(",")


class Release(models.Model):
    """A release of the Mobility Metrics (e.g. "2025"); releases sit side by side."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Who last switched pages to this release, and when (none for the first release, which
    # becomes active by itself, nor for the command line).
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ("-name",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="metrics_one_active_release",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Subgroup(models.Model):
    """A breakdown value: (``race-ethnicity``, ``Hispanic``); (``all``, ``All``) is overall."""

    subgroup_type = models.CharField(_("subgroup type"), max_length=32)
    name = models.CharField(_("subgroup"), max_length=80)

    class Meta:
        verbose_name = _("subgroup")
        verbose_name_plural = _("subgroups")
        ordering = ("subgroup_type", "name")
        constraints = [
            models.UniqueConstraint(fields=["subgroup_type", "name"], name="metrics_subgroup_key")
        ]

    def __str__(self) -> str:
        return f"{self.subgroup_type}: {self.name}"


class Observation(models.Model):
    """One value in long form: geography × metric × subgroup × year × release.

    The primary key is that natural key, so the table carries a single index and a
    re-import can upsert on it. Its order (release, year, geography, ...) is the order of
    the Urban files, so an import appends to the index instead of splitting pages all over
    it; reads of one geography give the release's years (see selectors). On PostgreSQL the
    table is partitioned by release instead, each release's table keyed by (geography,
    metric, subgroup, year) and its key built once after its first file is copied in (see
    ``metrics.partitions``); Django's view of the model is the same.
    The foreign keys have no database constraint or index of their own: the import
    resolves every id itself, and each extra index or constraint trigger is paid a million
    times per national file (see docs/benchmarks.md).
    """

    pk = models.CompositePrimaryKey(
        "release_id", "year", "geography_id", "metric_id", "subgroup_id"
    )
    geography = models.ForeignKey(
        Geography,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    metric = models.ForeignKey(
        Metric,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    subgroup = models.ForeignKey(
        Subgroup,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    release = models.ForeignKey(
        Release,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    value = models.FloatField(_("value"), null=True)
    value_a = models.FloatField(_("ratio, first part"), null=True)
    value_b = models.FloatField(_("ratio, second part"), null=True)
    lb = models.FloatField(_("lower bound"), null=True)
    ub = models.FloatField(_("upper bound"), null=True)
    quality = models.PositiveSmallIntegerField(_("quality"), null=True, choices=Quality.choices)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.metric_id} {self.geography_id} {self.year} {self.subgroup_id}: {self.value}"


class NationalBenchmark(models.Model):
    """Urban's population-weighted median across counties, per metric and year."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="benchmarks")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="benchmarks")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"), null=True)

    class Meta:
        verbose_name = _("national benchmark")
        verbose_name_plural = _("national benchmarks")
        constraints = [
            models.UniqueConstraint(
                fields=["release", "metric", "year"], name="metrics_benchmark_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.year}: {self.value}"


def metric_import_upload_to(instance: MetricImport, filename: str) -> str:
    # Stored under a generated name; the person's file name is kept in original_name.
    suffix = ".csv.gz" if filename.lower().endswith(".gz") else ".csv"
    return f"metric-imports/{uuid.uuid4().hex}{suffix}"


class MetricImport(BackgroundJob):
    """An import of one Urban file into a release: the row the UI and API read."""

    file = models.FileField(_("file"), upload_to=metric_import_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="imports"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Only for files without a year column.")
    )
    shipped = models.BooleanField(_("shipped with the project"), default=False)
    # The level the person said the file is for ("" = as the file says); a file of the
    # other level is refused.
    level = models.CharField(
        _("geography level"),
        max_length=10,
        blank=True,
        choices=[("county", _("Counties")), ("city", _("Cities"))],
    )
    geography_kind = models.CharField(_("geographies"), max_length=10, blank=True)
    breakdown = models.CharField(_("breakdown"), max_length=32, blank=True)
    observations_written = models.PositiveIntegerField(_("values added or changed"), default=0)
    observations_read = models.PositiveIntegerField(_("values read"), default=0)
    unknown_columns = models.JSONField(_("unknown columns"), default=list, blank=True)
    # The metric variables the file held: which breakdowns of which metrics are imported.
    variables = models.JSONField(_("metrics"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # What the import read: the file's bytes and everything else that decides its rows (see
    # services.import_fingerprint). A later import with the same one has nothing to change.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # A digest of the rows the import wrote or found (see importing.RowsDigest): the same
    # rows from a file with other bytes need not be compared with the stored ones.
    rows_digest = models.CharField(max_length=64, blank=True, editable=False)
    unchanged_since = models.ForeignKey(
        "self",
        verbose_name=_("same file as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    TASK = "metrics.tasks.metric_import_run_task"
    RESULT_FIELDS = (
        "geography_kind",
        "breakdown",
        "observations_written",
        "observations_read",
        "unknown_columns",
        "variables",
        "warnings",
        "error_count",
        "fingerprint",
        "rows_digest",
        "unchanged_since",
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = _("metric import")
        verbose_name_plural = _("metric imports")
        constraints = [
            # The same file into the same release once at a time: two runs would write the
            # same values at once.
            models.UniqueConstraint(
                fields=["release", "original_name"],
                condition=models.Q(status__in=["pending", "running"]),
                name="metrics_import_one_active_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.release}"


# --- Local supplemental data (planning guide step 5.2) -----------------------------------


def local_dataset_upload_to(instance: LocalDataset, filename: str) -> str:
    suffix = (
        Path(filename).suffix.lower() if Path(filename).suffix.lower() in (".xlsx",) else ".csv"
    )
    return f"local-data/{uuid.uuid4().hex}{suffix}"


class LocalDataset(BackgroundJob):
    """A coalition's own indicator file, linked to a predictor; private to the coalition.

    The row is also the job that validates and loads it: it waits (unmapped) until a data
    lead has said which columns hold the area, year and value.
    """

    COUNTS_TO_STORAGE_QUOTA = True  # core.storage

    coalition = models.ForeignKey(
        "coalitions.Coalition",
        verbose_name=_("coalition"),
        on_delete=models.CASCADE,
        related_name="local_datasets",
    )
    predictor = models.ForeignKey(
        Predictor, verbose_name=_("predictor"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    file = models.FileField(_("file"), upload_to=local_dataset_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    columns = models.JSONField(_("columns in the file"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    mapped = models.BooleanField(_("columns mapped"), default=False)
    values_loaded = models.PositiveIntegerField(_("values loaded"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)

    TASK = "metrics.tasks.local_dataset_import_run_task"
    RESULT_FIELDS = ("values_loaded", "error_count")

    class Meta(BackgroundJob.Meta):
        verbose_name = _("local dataset")
        verbose_name_plural = _("local datasets")

    def __str__(self) -> str:
        return self.name


class LocalValue(models.Model):
    """One value of a local dataset: an area (the jurisdiction or a sub-area), a year."""

    dataset = models.ForeignKey(LocalDataset, on_delete=models.CASCADE, related_name="values")
    area = models.CharField(_("area"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    subgroup = models.CharField(_("subgroup"), max_length=80, blank=True)
    value = models.FloatField(_("value"))
    lb = models.FloatField(_("lower bound"), null=True, blank=True)
    ub = models.FloatField(_("upper bound"), null=True, blank=True)

    class Meta:
        verbose_name = _("local value")
        verbose_name_plural = _("local values")
        ordering = ("area", "subgroup", "year")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "area", "year", "subgroup"], name="metrics_local_value_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.subgroup}: {self.value}"


# Models of the profile pages live beside their code; imported here so Django finds them.
from metrics.profiles.models import CoalitionPeer, MetricNote, ReleaseDigest  # noqa: E402

__all__ = [
    "CoalitionPeer",
    "Geography",
    "LocalDataset",
    "LocalValue",
    "Metric",
    "MetricImport",
    "MetricNote",
    "NationalBenchmark",
    "Observation",
    "Release",
    "ReleaseDigest",
    "Subgroup",
]

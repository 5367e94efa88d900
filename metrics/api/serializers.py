from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics import selectors
from metrics.charts.formatting import display_unit, unit_label
from metrics.forms import ALLOWED_SUFFIXES
from metrics.models import (
    Geography,
    LocalDataset,
    LocalValue,
    Metric,
    MetricImport,
    Observation,
    Predictor,
)
from metrics.profiles.reading import Reading, display


class MetricSerializer(serializers.ModelSerializer):
    pillar = serializers.CharField(source="predictor.pillar.name", read_only=True)
    pillar_slug = serializers.CharField(source="predictor.pillar.slug", read_only=True)
    predictor = serializers.CharField(source="predictor.name", read_only=True)
    predictor_slug = serializers.CharField(source="predictor.slug", read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), source="level_list")
    unit_label = serializers.SerializerMethodField()

    class Meta:
        model = Metric
        fields = (
            "variable",
            "label",
            "pillar",
            "pillar_slug",
            "predictor",
            "predictor_slug",
            "unit",
            "unit_label",
            "direction",
            "description",
            "has_bounds",
            "has_quality",
            "caveat",
            "levels",
        )

    def get_unit_label(self, metric: Metric) -> str:
        """What the unit means in words ("Per 100 households"), in the request's language."""
        return unit_label(display_unit(metric.unit))


class GeographySerializer(serializers.ModelSerializer):
    class Meta:
        model = Geography
        fields = ("id", "kind", "fips", "name", "state_name", "first_year", "last_year")


class ObservationSerializer(serializers.ModelSerializer):
    """One value; Observation has a composite key, so fields are listed one by one."""

    metric = serializers.CharField(source="metric.variable", read_only=True)
    subgroup_type = serializers.CharField(source="subgroup.subgroup_type", read_only=True)
    subgroup = serializers.CharField(source="subgroup.name", read_only=True)
    quality = serializers.CharField(source="get_quality_display", read_only=True, allow_null=True)
    value_text = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = (
            "metric",
            "year",
            "subgroup_type",
            "subgroup",
            "value",
            "value_a",
            "value_b",
            "value_text",
            "lb",
            "ub",
            "quality",
        )

    def get_value_text(self, row: Observation) -> str:
        """The value as people read it, in the request's language (the metric's unit)."""
        reading = Reading(row.year, row.value, value_a=row.value_a, value_b=row.value_b)
        return display(reading, row.metric.unit)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.CharField()
    column = serializers.CharField()
    message = serializers.CharField()


class MetricImportSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release.name", read_only=True)
    started_by = serializers.CharField(source="started_by.email", read_only=True, default=None)
    percent = serializers.IntegerField(read_only=True)
    error_report = serializers.SerializerMethodField()

    class Meta:
        model = MetricImport
        fields = (
            "id",
            "original_name",
            "release",
            "year",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "level",
            "geography_kind",
            "breakdown",
            "observations_read",
            "observations_written",
            "unknown_columns",
            "warnings",
            "error_count",
            "error_report",
            "fingerprint",
            "unchanged_since",
            "started_by",
            "task_id",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        )
        read_only_fields = fields

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_error_report(self, job: MetricImport) -> list[dict[str, str]]:
        return selectors.metric_import_errors(job)


class MetricImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    release = serializers.RegexField(r"^[\w.-]+$", max_length=40, default="2025")
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False, allow_null=True)
    level = serializers.ChoiceField(
        choices=["county", "city"],
        required=False,
        default="",
        help_text="The geography level the file is for; a file of the other level is refused. "
        "Left out: as the file name says (_county_ or _place_).",
    )

    def validate_file(self, upload):
        if not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
            raise serializers.ValidationError("Upload a .csv or .csv.gz file.")
        if upload.size > settings.METRICS_IMPORT_MAX_BYTES:
            raise serializers.ValidationError("The file is larger than the import size limit.")
        return upload


class LocalValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalValue
        fields = ("area", "year", "subgroup", "value", "lb", "ub")


class LocalDatasetSerializer(serializers.ModelSerializer):
    predictor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    error_report = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = LocalDataset
        fields: tuple[str, ...] = (
            "id",
            "name",
            "predictor",
            "unit",
            "description",
            "original_name",
            "columns",
            "mapping",
            "mapped",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "values_loaded",
            "error_count",
            "error_report",
            "created_at",
            "finished_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_error_report(self, dataset: LocalDataset) -> list[dict[str, str]]:
        return selectors.metric_import_errors(dataset)


class LocalDatasetDetailSerializer(LocalDatasetSerializer):
    values = LocalValueSerializer(many=True, read_only=True)

    class Meta(LocalDatasetSerializer.Meta):
        fields: tuple[str, ...] = (*LocalDatasetSerializer.Meta.fields, "values")
        read_only_fields: tuple[str, ...] = fields


class LocalDatasetCreateSerializer(serializers.Serializer):
    """Upload a file; give the columns now (area, year, value at least) to load it at once."""

    file = serializers.FileField()
    name = serializers.CharField(max_length=200)
    predictor = serializers.SlugRelatedField(slug_field="slug", queryset=Predictor.objects.all())
    unit = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    area_column = serializers.CharField(required=False, allow_blank=True, default="")
    year_column = serializers.CharField(required=False, allow_blank=True, default="")
    value_column = serializers.CharField(required=False, allow_blank=True, default="")
    subgroup_column = serializers.CharField(required=False, allow_blank=True, default="")
    lb_column = serializers.CharField(required=False, allow_blank=True, default="")
    ub_column = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_file(self, upload):
        if not (upload.name or "").lower().endswith((".csv", ".txt", ".xlsx")):
            raise serializers.ValidationError("Upload a .csv or .xlsx file.")
        return upload

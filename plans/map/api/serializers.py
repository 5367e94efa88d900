"""Shapes of the strategy and MAP API. Reads are model serializers; writes go to services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from plans.map.models import (
    Decision,
    ElementKind,
    ExportFormat,
    ExportKind,
    MapSectionDraft,
    MapVersion,
    Measure,
    PlanExport,
    PlanSettings,
    PriorityArea,
    Review,
    ReviewerType,
    ReviewRound,
    SectionStatus,
    StrategicAction,
    TheoryOfChange,
    Visibility,
    Vision,
)


class VisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vision
        fields = ("statement", "adopted_on", "adopted_how", "updated_at")
        read_only_fields = ("updated_at",)


class PriorityAreaSerializer(serializers.ModelSerializer):
    predictors = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = PriorityArea
        fields = ("id", "name", "pillar", "predictors", "rationale", "position")
        read_only_fields = ("id", "position")


class TheorySerializer(serializers.ModelSerializer):
    priority_area = serializers.PrimaryKeyRelatedField(
        queryset=PriorityArea.objects.none(), allow_null=True, required=False
    )
    final_statement = serializers.CharField(read_only=True)

    class Meta:
        model = TheoryOfChange
        fields = (
            "id",
            "priority_area",
            "problem",
            "solution",
            "impact_medium",
            "impact_long",
            "statement",
            "final_statement",
        )
        read_only_fields = ("id",)

    def __init__(self, *args: Any, coalition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coalition is not None:
            self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]


class ElementsField(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField(max_length=500))


class StrategicActionSerializer(serializers.ModelSerializer):
    priority_area = serializers.PrimaryKeyRelatedField(
        queryset=PriorityArea.objects.none(), allow_null=True, required=False
    )
    action_types = serializers.ListField(child=serializers.CharField(), required=False)
    systems_conditions = serializers.ListField(child=serializers.CharField(), required=False)
    elements = ElementsField(
        required=False,
        write_only=True,
        help_text="Element kind (input, output, outcome_short, outcome_medium, outcome_long) "
        "→ its lines. The measurement plan follows: renamed lines keep their measure, removed "
        "lines flag it.",
    )

    class Meta:
        model = StrategicAction
        fields = (
            "id",
            "title",
            "description",
            "priority_area",
            "action_types",
            "systems_conditions",
            "target_population",
            "lead_organisation",
            "partners",
            "start_date",
            "end_date",
            "working_group",
            "elements",
        )
        read_only_fields = ("id",)

    def __init__(self, *args: Any, coalition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coalition is not None:
            self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]
            self.fields["working_group"].queryset = coalition.working_groups.all()  # type: ignore[attr-defined]

    def validate_elements(self, value: dict) -> dict:
        unknown = set(value) - set(ElementKind.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown element kinds: {sorted(unknown)}")
        return value

    def to_representation(self, instance: StrategicAction) -> dict[str, Any]:
        data = super().to_representation(instance)
        elements: dict[str, list[str]] = {k: [] for k in ElementKind.values}
        for e in instance.elements.all():
            elements[e.kind].append(e.text)
        data["elements"] = elements
        return data


class MeasureSerializer(serializers.ModelSerializer):
    disaggregation = serializers.ListField(child=serializers.CharField(), required=False)
    audience = serializers.ListField(child=serializers.CharField(), required=False)
    orphaned = serializers.BooleanField(source="is_orphaned", read_only=True)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Measure
        fields = (
            "id",
            "action_title",
            "element_kind",
            "element_text",
            "orphaned",
            "missing",
            "measure",
            "kind",
            "metric_variable",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "gap_subgroup",
            "gap_reduction_percent",
            "disaggregation",
            "data_source",
            "frequency",
            "responsible",
            "audience",
        )
        read_only_fields = ("id", "action_title", "element_kind", "element_text")


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MapSectionDraft
        fields = ("key", "narrative", "owner", "status", "updated_at")
        read_only_fields = ("key", "updated_at")


class SectionWriteSerializer(serializers.Serializer):
    narrative = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    owner = serializers.IntegerField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=SectionStatus.choices, required=False)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ("id", "reviewer", "reviewer_type", "decision", "comment", "decided_at")
        read_only_fields = fields


class ReviewRoundSerializer(serializers.ModelSerializer):
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRound
        fields = ("id", "note", "created_at", "closed_at", "outcome", "reviews")
        read_only_fields = fields


class ReviewerInSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    reviewer_type = serializers.ChoiceField(choices=ReviewerType.choices)


class ReviewRequestSerializer(serializers.Serializer):
    reviewers = ReviewerInSerializer(many=True)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING]
    )
    comment = serializers.CharField(max_length=5000, allow_blank=True, required=False)


class VersionSerializer(serializers.ModelSerializer):
    published = serializers.BooleanField(source="is_published", read_only=True)

    class Meta:
        model = MapVersion
        fields = ("id", "number", "release_name", "approved", "frozen_at", "published")
        read_only_fields = fields


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = (*VersionSerializer.Meta.fields, "document")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


class ExportSerializer(serializers.ModelSerializer):
    error = serializers.CharField(
        source="error_report",
        read_only=True,
        help_text="Why a failed export failed (empty otherwise).",
    )

    class Meta:
        model = PlanExport
        fields = (
            "id",
            "version",
            "kind",
            "format",
            "status",
            "percent",
            "message",
            "error",
            "created_at",
            "finished_at",
            "size",
            "pages",
        )
        read_only_fields = fields


class ExportStartSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, required=False)
    kind = serializers.ChoiceField(choices=ExportKind.choices, default=ExportKind.PLAN)
    format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.PDF)


class PlanSettingsSerializer(serializers.ModelSerializer):
    """The cover and front matter. PUT as multipart to upload a logo (``logo``), or JSON
    without one; ``remove_logo`` drops the current logo."""

    logo = serializers.FileField(write_only=True, required=False, allow_null=True)
    remove_logo = serializers.BooleanField(write_only=True, required=False, default=False)
    has_logo = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    plan_language = serializers.CharField(read_only=True)

    class Meta:
        model = PlanSettings
        fields = (
            "logo",
            "remove_logo",
            "has_logo",
            "logo_name",
            "logo_type",
            "logo_width",
            "logo_height",
            "acknowledgements",
            "page_size",
            "language",
            "plan_language",
            "partners",
            "updated_at",
        )
        read_only_fields = (
            "logo_name",
            "logo_type",
            "logo_width",
            "logo_height",
            "updated_at",
        )

    def get_has_logo(self, obj: PlanSettings) -> bool:
        return bool(obj.logo)

    def get_partners(self, obj: PlanSettings) -> list[str]:
        """The organisations the plan names (their members agreed)."""
        from plans.map.front import partners

        return partners(obj.coalition)


class PartnerListingSerializer(serializers.Serializer):
    membership = serializers.IntegerField(
        required=False, help_text="A member's id; yours when left out."
    )
    listed = serializers.BooleanField()


# --- what the plan publishes ---------------------------------------------------------------------


class PublicationFieldSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The field, or field.column of a table.")
    question = serializers.CharField(source="label")
    default = serializers.ChoiceField(choices=Visibility.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    is_column = serializers.BooleanField()


class PublicationRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    chosen = serializers.BooleanField()


class PublicationGroupSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_blank=True, help_text="The table; empty for a repeating worksheet's records."
    )
    name = serializers.CharField(source="label")
    all_rows = serializers.BooleanField()
    rows = PublicationRowSerializer(many=True)


class PublicationWorksheetSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    answered = serializers.BooleanField()
    answers = PublicationFieldSerializer(many=True, source="fields")
    groups = PublicationGroupSerializer(many=True)


class VisibilityChangeSerializer(serializers.Serializer):
    worksheet = serializers.CharField()
    field = serializers.CharField(help_text="The field, or field.column of a table.")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        allow_blank=True,
        help_text="Empty: back to the definition's default.",
    )


class RowChoiceSerializer(serializers.Serializer):
    worksheet = serializers.CharField()
    field = serializers.CharField(allow_blank=True, required=False, default="")
    rows = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The ids of the rows to publish; null publishes every row.",
    )


class PublicationWriteSerializer(serializers.Serializer):
    visibility = VisibilityChangeSerializer(many=True, required=False)
    choices = RowChoiceSerializer(many=True, required=False)

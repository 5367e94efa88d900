"""Shapes of the strategy and MAP API. Reads are model serializers; writes go to services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.models import LocalDataset
from plans.map import goal_display
from plans.map.checks import KIND_KEYS
from plans.map.models import (
    Decision,
    ElementKind,
    ExportFormat,
    ExportKind,
    HeadlineGoal,
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
    final_statement = serializers.CharField(
        read_only=True, help_text="What the plan prints: the joined sentence or own wording."
    )
    part_problems = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Parts that read as whole sentences, with what to do (empty with own wording).",
    )

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
            "part_problems",
            "edited_at",
        )
        read_only_fields = ("id", "edited_at")

    def __init__(self, *args: Any, coalition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coalition is not None:
            self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]


class ElementsField(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField(max_length=500))


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing milestone's id, to keep it."
    )
    title = serializers.CharField(max_length=300)
    due_date = serializers.DateField()


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
    funding_status = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="secured, requested or needed (the funding_status list of options.yaml).",
    )
    funding_status_label = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(
        many=True,
        required=False,
        help_text="When given, the action's milestones become these rows (keep one by its id); "
        "each is due between the action's start and end.",
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
            "estimated_cost",
            "funding_source",
            "funding_status",
            "funding_status_label",
            "decision_asked",
            "milestones",
            "elements",
        )
        read_only_fields = ("id",)

    def __init__(self, *args: Any, coalition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coalition is not None:
            self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]
            self.fields["working_group"].queryset = coalition.working_groups.all()  # type: ignore[attr-defined]

    def get_funding_status_label(self, action: StrategicAction) -> str:
        return goal_display.funding_status_text(action)

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
        data["milestones"] = [
            {"id": m.pk, "title": m.title, "due_date": m.due_date.isoformat()}
            for m in instance.milestones.all()
        ]
        return data


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True},
)
class TypedValueField(serializers.Field):
    """A goal's value: a number as the unit stores it (0.5 for 50%), or text as a person types
    it for the unit ("50%", "$66,167", "0.119:0.246")."""

    def to_internal_value(self, data: Any) -> Any:
        if data is None or isinstance(data, str | int | float) and not isinstance(data, bool):
            return data
        raise serializers.ValidationError("Give a number or a text.")

    def to_representation(self, value: Any) -> Any:
        return value


class HeadlineGoalSerializer(serializers.ModelSerializer):
    """A headline goal; ``*_text`` are what readers see, in the request's language."""

    priority_area = serializers.PrimaryKeyRelatedField(queryset=PriorityArea.objects.none())
    local_dataset = serializers.PrimaryKeyRelatedField(
        queryset=LocalDataset.objects.none(), allow_null=True, required=False
    )
    baseline = TypedValueField(
        source="baseline_value",
        required=False,
        allow_null=True,
        help_text="Empty: the latest value of the data.",
    )
    target = TypedValueField(source="target_value")
    gap_target = TypedValueField(
        required=False,
        allow_null=True,
        help_text="The subgroup minus everyone by the target date; typed shares in points.",
    )
    baseline_text = serializers.SerializerMethodField()
    target_text = serializers.SerializerMethodField()
    gap_target_text = serializers.SerializerMethodField()

    class Meta:
        model = HeadlineGoal
        fields = (
            "id",
            "priority_area",
            "position",
            "metric_variable",
            "local_dataset",
            "indicator",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "subgroup",
            "gap_target",
            "note",
            "baseline_text",
            "target_text",
            "gap_target_text",
        )
        read_only_fields = ("id", "position", "unit")
        extra_kwargs = {
            "target_date": {"required": True},
            "baseline_date": {"required": False},
            "indicator": {"required": False, "allow_blank": True},
            "note": {"help_text": "Printed under the goal's chart, in the plan and publicly."},
            "metric_variable": {"required": False, "allow_blank": True},
        }

    def __init__(self, *args: Any, coalition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if coalition is not None:
            self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]
            self.fields["local_dataset"].queryset = coalition.local_datasets.all()  # type: ignore[attr-defined]

    def get_baseline_text(self, goal: HeadlineGoal) -> str:
        return goal_display.baseline_text(goal)

    def get_target_text(self, goal: HeadlineGoal) -> str:
        return goal_display.target_text(goal)

    def get_gap_target_text(self, goal: HeadlineGoal) -> str:
        return goal_display.gap_target_text(goal)

    def service_kwargs(self) -> dict[str, Any]:
        """The validated data as the service's keyword arguments."""
        d = dict(self.validated_data)
        if "baseline_value" in d:
            d["baseline"] = d.pop("baseline_value")
        if "target_value" in d:
            d["target"] = d.pop("target_value")
        return d


class MeasureSerializer(serializers.ModelSerializer):
    disaggregation = serializers.ListField(child=serializers.CharField(), required=False)
    audience = serializers.ListField(child=serializers.CharField(), required=False)
    orphaned = serializers.BooleanField(source="is_orphaned", read_only=True)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True)
    subgroups = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=20
    )

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
            "unit",
            "baseline_value",
            "target_value",
            "subgroups",
            "gap_subgroup",
            "gap_reduction_percent",
            "disaggregation",
            "data_source",
            "frequency",
            "responsible",
            "audience",
        )
        read_only_fields = (
            "id",
            "action_title",
            "element_kind",
            "element_text",
            "baseline_value",
            "target_value",
        )


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


class FindingSerializer(serializers.Serializer):
    """One finding of the check before freezing."""

    kind = serializers.ChoiceField(choices=KIND_KEYS)
    text = serializers.CharField()
    link = serializers.CharField(help_text="The page where it can be fixed.")


class CheckSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    findings = FindingSerializer(many=True)


class FreezeSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required when the check has findings: why freeze anyway.",
    )


class VersionSerializer(serializers.ModelSerializer):
    published = serializers.BooleanField(source="is_published", read_only=True)
    check_findings = FindingSerializer(many=True, read_only=True, allow_null=True)

    class Meta:
        model = MapVersion
        fields = (
            "id",
            "number",
            "release_name",
            "approved",
            "frozen_at",
            "published",
            "check_findings",
            "check_override_reason",
        )
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

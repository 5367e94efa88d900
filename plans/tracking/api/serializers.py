from __future__ import annotations

from typing import Any

from rest_framework import serializers

from plans.map.api.serializers import TypedValueField
from plans.tracking.models import SubgroupTarget, TrackedValue
from plans.tracking.services import MAX_ROWS
from plans.tracking.status import Status


class TrackedValueSerializer(serializers.ModelSerializer):
    """A value as the unit stores it (a share as 0.45); ``value_text`` is what readers see."""

    value_text = serializers.SerializerMethodField()
    entered_by = serializers.SerializerMethodField()

    class Meta:
        model = TrackedValue
        fields = (
            "id",
            "period",
            "date",
            "subgroup",
            "value",
            "value_text",
            "lower",
            "upper",
            "quality",
            "source",
            "source_detail",
            "note",
            "entered_by",
            "entered_at",
        )
        read_only_fields = fields

    def get_value_text(self, obj: TrackedValue) -> str:
        from metrics.charts.formatting import display_unit, format_value

        owner = obj.measure or obj.goal
        return format_value(obj.value, display_unit(owner.unit if owner else "number"))

    def get_entered_by(self, obj: TrackedValue) -> str:
        user = obj.entered_by
        return (user.get_full_name() or user.email) if user else ""


class ValueRowSerializer(serializers.Serializer):
    """One row to add. Numbers as the unit stores them (0.45 for 45%) or text as a person types
    it ("45%"); ``period`` is a year (2024), quarter (2024-Q2), month (2024-05) or date."""

    period = serializers.CharField(max_length=20)
    value = TypedValueField()
    subgroup = serializers.CharField(max_length=80, required=False, allow_blank=True)
    lower = TypedValueField(required=False, allow_null=True)
    upper = TypedValueField(required=False, allow_null=True)
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ValuesCreateSerializer(serializers.Serializer):
    values = serializers.ListField(
        child=serializers.DictField(), max_length=MAX_ROWS, allow_empty=False
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based position of the row in ``values``.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ValuesResultSerializer(serializers.Serializer):
    saved = TrackedValueSerializer(many=True)
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


class SubgroupStatusSerializer(serializers.Serializer):
    """The status of a subgroup that has its own baseline and target."""

    subgroup = serializers.CharField()
    subgroup_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    latest_value = serializers.FloatField(allow_null=True)
    latest_date = serializers.DateField(allow_null=True)
    latest_period = serializers.CharField()
    latest_text = serializers.CharField()
    expected_value = serializers.FloatField(allow_null=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    latest_value = serializers.FloatField(allow_null=True)
    latest_date = serializers.DateField(allow_null=True)
    latest_period = serializers.CharField()
    latest_text = serializers.CharField()
    expected_value = serializers.FloatField(allow_null=True)
    gap_status = serializers.CharField(
        help_text="A status key like ``status`` for the gap target; empty without one."
    )
    gap_status_label = serializers.CharField()
    series_url = serializers.CharField()
    subgroup_statuses = SubgroupStatusSerializer(
        many=True,
        help_text="One per subgroup with its own baseline and target, by the same rule.",
    )


class ValuesListSerializer(serializers.Serializer):
    status = StatusSerializer()
    values = TrackedValueSerializer(many=True)


def row_problems(
    rows: list[dict[str, Any]],
) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, dict[str, list[str]]]]:
    """Rows whose shape is right, and the shape errors of the others by row number."""
    good, bad = [], {}
    for number, row in enumerate(rows, start=1):
        ser = ValueRowSerializer(data=row)
        if ser.is_valid():
            good.append((number, dict(ser.validated_data)))
        else:
            bad[number] = {k: [str(e) for e in v] for k, v in ser.errors.items()}
    return good, bad


class SubgroupTargetSerializer(serializers.ModelSerializer):
    """A subgroup's own baseline and target, numbers as the unit stores them (0.45 for 45%)."""

    baseline_text = serializers.SerializerMethodField()
    target_text = serializers.SerializerMethodField()

    class Meta:
        model = SubgroupTarget
        fields = (
            "subgroup",
            "baseline_value",
            "baseline_date",
            "baseline_text",
            "target_value",
            "target_date",
            "target_text",
        )
        read_only_fields = fields

    def _text(self, obj: SubgroupTarget, value: float) -> str:
        from metrics.charts.formatting import display_unit, format_value

        owner = obj.measure or obj.goal
        return format_value(value, display_unit(owner.unit if owner else "number"))

    def get_baseline_text(self, obj: SubgroupTarget) -> str:
        return self._text(obj, obj.baseline_value)

    def get_target_text(self, obj: SubgroupTarget) -> str:
        return self._text(obj, obj.target_value)


class SubgroupTargetRowSerializer(serializers.Serializer):
    """One subgroup's baseline and target to set. Numbers as the unit stores them (0.45 for
    45%) or text as a person types it ("45%"); dates as ``2022-12-31`` or a year (``2022``,
    meaning 31 December). All four null: the subgroup has no target of its own."""

    subgroup = serializers.CharField(max_length=80)
    baseline_value = TypedValueField(required=False, allow_null=True)
    baseline_date = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True
    )
    target_value = TypedValueField(required=False, allow_null=True)
    target_date = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True
    )


class SubgroupTargetsWriteSerializer(serializers.Serializer):
    targets = serializers.ListField(
        child=serializers.DictField(),
        max_length=40,
        help_text="The whole set: a subgroup left out loses its target.",
    )


class SubgroupTargetsPutSerializer(serializers.Serializer):
    """What the schema shows of a PUT body; rows are checked one by one, each bad row reported
    with its reasons (``target_row_problems``), so the view reads it as plain dictionaries."""

    targets = SubgroupTargetRowSerializer(
        many=True, help_text="The whole set: a subgroup left out loses its target."
    )


class SubgroupTargetsSerializer(serializers.Serializer):
    targets = SubgroupTargetSerializer(many=True)
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


def target_row_problems(
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[int, dict[str, list[str]]]]:
    """The rows whose shape is right, and the shape errors of the others by row number."""
    good, bad = [], {}
    for number, row in enumerate(rows, start=1):
        ser = SubgroupTargetRowSerializer(data=row)
        if ser.is_valid():
            good.append(dict(ser.validated_data))
        else:
            bad[number] = {k: [str(e) for e in v] for k, v in ser.errors.items()}
    return good, bad

"""Shapes of the implementation API (they check input shape; services check the rules)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from plans.implementation.models import Channel, EarlyWin, PlanCycle, ProgressNote, ProgressReport
from plans.map.models import ExportFormat, ImplementationStatus, Milestone, StrategicAction


class ActionStatusSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reason = serializers.CharField(
        source="status_reason",
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why the action stalled or was dropped (required then; internal).",
    )
    owner = serializers.IntegerField(
        source="owner_id",
        required=False,
        allow_null=True,
        help_text="The id of the member (membership) who owns the action.",
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=3000)

    class Meta:
        model = StrategicAction
        fields = (
            "id",
            "title",
            "status",
            "status_label",
            "reason",
            "owner",
            "note",
            "status_changed_at",
        )
        read_only_fields = ("id", "title", "status_label", "status_changed_at")
        extra_kwargs = {"status": {"required": True}}


class ProgressNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProgressNote
        fields = ("id", "created_at", "author", "text", "status", "status_label", "public")
        read_only_fields = ("id", "created_at", "author", "status", "status_label")

    def get_author(self, note: ProgressNote) -> str:
        return str(note.author.name or note.author.email) if note.author else ""


class MilestoneProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ("id", "action", "title", "due_date", "done_on")
        read_only_fields = fields


class MilestoneDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        help_text="The day the milestone was reached (not in the future)."
    )


class EarlyWinSerializer(serializers.ModelSerializer):
    action = serializers.IntegerField(source="action_id", required=False, allow_null=True)
    shared_with = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False
    )

    class Meta:
        model = EarlyWin
        fields = (
            "id",
            "date",
            "description",
            "action",
            "evidence",
            "shared_with",
            "public",
            "created_at",
        )
        read_only_fields = ("id", "created_at")


class ReportStartSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=ExportFormat.choices), default=["pdf"]
    )
    include_reasons = serializers.BooleanField(default=False)


class ReportFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = serializers.CharField()
    status = serializers.CharField()
    percent = serializers.IntegerField()
    error = serializers.CharField(source="error_report")
    pages = serializers.IntegerField()
    size = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, export: Any) -> str:
        from django.urls import reverse

        if export.status != "succeeded":
            return ""
        return reverse("map:export_download", args=[export.coalition_id, export.pk])


class ProgressReportSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    files = ReportFileSerializer(source="exports", many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = (
            "id",
            "title",
            "period_start",
            "period_end",
            "language",
            "include_reasons",
            "created_at",
            "files",
        )
        read_only_fields = fields

    def get_title(self, report: ProgressReport) -> str:
        return str(report.document.get("subtitle") or "")


class PublicationSerializer(serializers.Serializer):
    published = serializers.BooleanField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    show_reasons = serializers.BooleanField(default=False)
    public_url = serializers.CharField(read_only=True, allow_blank=True)


class CycleSerializer(serializers.ModelSerializer):
    base_version = serializers.IntegerField(source="base_version_id")

    class Meta:
        model = PlanCycle
        fields = ("id", "number", "base_version", "note", "started_at")
        read_only_fields = ("id", "number", "started_at")


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField()
    pillar = serializers.CharField()
    predictor = serializers.CharField()
    rationale = serializers.CharField()
    origin = serializers.CharField(help_text="Where the candidate comes from (W7.1 or W10.5).")
    when = serializers.CharField()


class CycleChangeSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The section or part of the plan that changed.")
    diff = serializers.ListField(
        child=serializers.CharField(),
        help_text='Lines removed ("-") and added ("+"), or a summary of the change.',
    )


class CycleComparisonSerializer(serializers.Serializer):
    """For the council: what changed from the cycle's base version to the first version
    frozen after it, or to the current draft until one is (``later_version`` null)."""

    cycle = serializers.IntegerField(source="cycle.pk")
    base_version = serializers.IntegerField(source="base.number")
    later_version = serializers.IntegerField(source="later.number", allow_null=True)
    changes = CycleChangeSerializer(many=True)


class CyclesSerializer(serializers.Serializer):
    cycles = CycleSerializer(many=True)
    candidates = CandidateSerializer(many=True)


# --- the scorecard (read-only; the shape of plans.implementation.selectors.scorecard) --------


class ScorecardSubgroupStatusSerializer(serializers.Serializer):
    subgroup = serializers.CharField()
    subgroup_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    latest_text = serializers.CharField()


class _StatusFields(serializers.Serializer):
    status = serializers.CharField(help_text="The measures' status key (empty: none yet).")
    status_label = serializers.CharField()
    latest_text = serializers.CharField(help_text="The latest value, formatted for its unit.")
    latest_date = serializers.CharField()
    subgroup_statuses = ScorecardSubgroupStatusSerializer(
        many=True, help_text="Subgroups with their own baseline and target, each with its status."
    )


class ScorecardGoalSerializer(_StatusFields):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    baseline = serializers.CharField()
    target = serializers.CharField()
    gap_target = serializers.CharField()


class ScorecardMeasureSerializer(_StatusFields):
    id = serializers.IntegerField()
    measure = serializers.CharField()
    level = serializers.CharField()
    target = serializers.CharField()


class ScorecardMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.CharField()
    done_on = serializers.CharField()
    overdue = serializers.BooleanField()


class ScorecardActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    status_label = serializers.CharField()
    reason = serializers.CharField()
    lead = serializers.CharField()
    working_group = serializers.CharField()
    owner = serializers.CharField()
    milestones = ScorecardMilestoneSerializer(many=True)
    latest_note = serializers.CharField()
    measures = ScorecardMeasureSerializer(many=True)


class ScorecardAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    goals = ScorecardGoalSerializer(many=True)
    actions = ScorecardActionSerializer(many=True)


class ScorecardCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    count = serializers.IntegerField()


class ScorecardWinSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.CharField()
    description = serializers.CharField()
    action = serializers.CharField()
    evidence = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    filters = serializers.DictField()
    counts = ScorecardCountSerializer(many=True)
    priority_areas = ScorecardAreaSerializer(many=True)
    early_wins = ScorecardWinSerializer(many=True)

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans.content import Worksheet
from plans.models import Comment, Revision, StepStatus


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    ticked = serializers.BooleanField()
    ticked_by = serializers.EmailField(allow_null=True)
    ticked_at = serializers.DateTimeField(allow_null=True)


class StepSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.CharField()
    status = serializers.CharField()
    worksheets_complete = serializers.IntegerField()
    worksheets_total = serializers.IntegerField()
    worksheets = serializers.ListField(child=serializers.CharField())
    checklist = ChecklistItemSerializer(many=True)


class StepStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StepStatus.choices)


class WorksheetSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    step = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    can_edit = serializers.BooleanField()
    definition = serializers.DictField(required=False)


def worksheet_definition(ws: Worksheet) -> dict[str, Any]:
    return dataclasses.asdict(ws)


class ResponseSerializer(serializers.Serializer):
    worksheet = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]
    updated_by = serializers.EmailField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ResponseWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, help_text="The version this change started from; 409 if it moved on."
    )
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="Answers by field key; missing fields stay as saved."
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    current = serializers.DictField()


class ChangeSerializer(serializers.Serializer):
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="Where: the question, and for a table its row and column, by their labels."
    )
    question = serializers.CharField()
    row = serializers.CharField(help_text="The table's row or checklist item; empty otherwise.")
    column = serializers.CharField(help_text="The table's column; empty otherwise.")
    before = serializers.CharField()
    after = serializers.CharField()


class RevisionSerializer(serializers.ModelSerializer):
    """A revision and what it changed; ``first_version`` to ``version`` are one person's saves
    kept as one revision (``saves`` of them, from ``started_at`` to ``created_at``)."""

    author = serializers.EmailField(source="author.email", allow_null=True, default=None)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields: tuple[str, ...] = (
            "version",
            "first_version",
            "saves",
            "author",
            "note",
            "started_at",
            "created_at",
            "changes",
        )

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj: Revision) -> list[dict[str, str]]:
        changes = self.context.get("changes", {}).get(obj.version, [])
        return [dataclasses.asdict(c) for c in changes]


class RevisionDetailSerializer(RevisionSerializer):
    """A revision with the whole of its answers (``data``, by field key)."""

    class Meta(RevisionSerializer.Meta):
        fields = (*RevisionSerializer.Meta.fields, "data")


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True, default=None)

    class Meta:
        model = Comment
        fields = ("id", "field_key", "author", "body", "created_at")
        read_only_fields = ("id", "author", "created_at")

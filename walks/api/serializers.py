from __future__ import annotations

from rest_framework import serializers

from walks.models import Answer, DataWalk, Demographic, Moderation, Reaction, Station


class DataWalkSerializer(serializers.ModelSerializer):
    demographics = serializers.ListField(
        child=serializers.ChoiceField(choices=Demographic.choices), required=False
    )
    public_path = serializers.SerializerMethodField()

    class Meta:
        model = DataWalk
        fields = (
            "id",
            "title_en",
            "title_es",
            "intro_en",
            "intro_es",
            "use_en",
            "use_es",
            "demographics",
            "status",
            "token",
            "public_path",
            "created_at",
            "opened_at",
            "closed_at",
        )
        read_only_fields = ("id", "status", "token", "created_at", "opened_at", "closed_at")

    def get_public_path(self, walk: DataWalk) -> str:
        return f"/w/{walk.token}/"


class WalkStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("open", "open"), ("closed", "closed")])


class StationSerializer(serializers.ModelSerializer):
    questions_en = serializers.ListField(
        child=serializers.CharField(allow_blank=True), max_length=3, required=False
    )
    questions_es = serializers.ListField(
        child=serializers.CharField(allow_blank=True), max_length=3, required=False
    )

    class Meta:
        model = Station
        fields = (
            "id",
            "position",
            "variable",
            "caption_en",
            "caption_es",
            "questions_en",
            "questions_es",
            "quick_reaction",
        )
        read_only_fields = ("id", "position")


class AnswerSerializer(serializers.ModelSerializer):
    themes: serializers.RelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    station: serializers.RelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Answer
        fields = (
            "id",
            "station",
            "question",
            "text",
            "reaction",
            "language",
            "status",
            "themes",
            "is_quote",
            "facilitated",
            "group_size",
            "created_at",
        )
        read_only_fields = fields


class ModerateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(Moderation.APPROVED.value, "approved"), (Moderation.REJECTED.value, "rejected")]
    )


class TagSerializer(serializers.Serializer):
    themes = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    is_quote = serializers.BooleanField(required=False, allow_null=True, default=None)


class FacilitatedSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=500), required=False
    )
    quotes = serializers.ListField(child=serializers.CharField(), required=False)

    def validate_counts(self, value: dict) -> dict:
        unknown = set(value) - set(Reaction.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown reactions: {', '.join(sorted(unknown))}")
        return value


class SendResultSerializer(serializers.Serializer):
    residents = serializers.IntegerField()
    themes = serializers.IntegerField()
    quotes = serializers.IntegerField()

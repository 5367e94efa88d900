from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notifications.models import Delivery
from plans.models import NotificationKind


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    kind_label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    delivery_label = serializers.CharField(read_only=True)


class NotificationPreferencesSerializer(serializers.Serializer):
    """Every kind with how it reaches the person. A PUT may list only the kinds it changes."""

    preferences = NotificationPreferenceSerializer(many=True)

    def validate_preferences(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds = [row["kind"] for row in value]
        if len(kinds) != len(set(kinds)):
            raise serializers.ValidationError("Each kind may be listed once.")
        return value


def preferences_data(choices: dict[str, str]) -> dict[str, Any]:
    return {
        "preferences": [
            {
                "kind": kind,
                "kind_label": str(NotificationKind(kind).label),
                "delivery": delivery,
                "delivery_label": str(Delivery(delivery).label),
            }
            for kind, delivery in choices.items()
        ]
    }


class NotificationSerializer(serializers.Serializer):
    """One notification as the person sees it in the app (text in their language)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    text = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="Where it points, inside the app.")
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NotificationsMarkReadSerializer(serializers.Serializer):
    """Which notifications to mark read: the ids, or all the person's unread ones in the
    coalition when ``ids`` is left out."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500
    )


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications are read now.")
    unread = serializers.IntegerField(help_text="How many stay unread in the coalition.")

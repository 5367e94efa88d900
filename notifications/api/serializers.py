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

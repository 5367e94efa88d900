from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from notifications import services
from notifications.api.serializers import NotificationPreferencesSerializer, preferences_data


class NotificationPreferencesView(APIView):
    """How each kind of notification reaches the signed-in person: in the app only, an email
    at once, a daily or weekly digest, or nothing."""

    @extend_schema(responses=NotificationPreferencesSerializer)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        return Response(preferences_data(services.notification_preferences(user)))

    @extend_schema(
        request=NotificationPreferencesSerializer, responses=NotificationPreferencesSerializer
    )
    def put(self, request: Request) -> Response:
        serializer = NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = {row["kind"]: row["delivery"] for row in serializer.validated_data["preferences"]}
        saved = services.notification_preferences_save(
            user=cast(User, request.user), choices=choices
        )
        return Response(preferences_data(saved))

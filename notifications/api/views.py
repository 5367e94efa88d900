from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from notifications import services
from notifications.api.serializers import (
    NotificationPreferencesSerializer,
    NotificationSerializer,
    NotificationsMarkedSerializer,
    NotificationsMarkReadSerializer,
    preferences_data,
)
from plans import selectors as plan_selectors
from plans import services as plan_services


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


class NotificationListView(CoalitionScopedMixin, APIView):
    """The signed-in person's notifications in one coalition, newest first (at most 100; the
    app's Notifications page shows the same). ``?unread=1``: only the unread ones."""

    read_action = Can.VIEW
    write_action = Can.VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", bool, description="Only the notifications not read yet.", required=False
            )
        ],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: Request, coalition_pk: int) -> Response:
        found = plan_selectors.notifications_for(request.user, self.coalition)
        if request.query_params.get("unread") in ("1", "true", "yes"):
            found = found.filter(read_at=None)
        return Response(NotificationSerializer(found[:100], many=True).data)


class NotificationsMarkReadView(CoalitionScopedMixin, APIView):
    """Mark notifications read: the ``ids`` given, or every unread one of the coalition."""

    read_action = Can.VIEW
    write_action = Can.VIEW

    @extend_schema(request=NotificationsMarkReadSerializer, responses=NotificationsMarkedSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = NotificationsMarkReadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        marked = plan_services.notifications_mark_read(
            actor=self.membership, ids=ser.validated_data.get("ids")
        )
        unread = plan_selectors.unread_notifications(request.user, self.coalition).count()
        return Response({"marked": marked, "unread": unread})

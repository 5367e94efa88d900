from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from coalitions import selectors, services
from coalitions.api.permissions import CoalitionScopedMixin, IsCoalitionMember
from coalitions.api.serializers import (
    CoalitionSerializer,
    InvitationSerializer,
    MembershipSerializer,
    WorkingGroupSerializer,
)
from coalitions.models import Membership
from coalitions.permissions import Can


class CoalitionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Coalitions I belong to. Anyone signed in may start one and becomes its project manager."""

    serializer_class = CoalitionSerializer
    permission_classes = (*viewsets.GenericViewSet.permission_classes, IsCoalitionMember)

    def get_queryset(self):
        # Scoped: a coalition the caller does not belong to is a 404.
        return selectors.coalitions_for_user(self.request.user)  # type: ignore[arg-type]

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.coalition_create(
            actor=self.request.user,  # type: ignore[arg-type]
            name=serializer.validated_data["name"],
            geography=serializer.validated_data["geography"],
            description=serializer.validated_data.get("description", ""),
        )


class MembershipViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members: everyone reads; project managers change roles (PATCH role) and remove."""

    serializer_class = MembershipSerializer
    read_action = Can.VIEW
    write_action = Can.RUN
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.coalition_members(self.coalition)

    def perform_update(self, serializer: BaseSerializer) -> None:
        role = serializer.validated_data.get("role")
        if role is None:
            return
        services.membership_change_role(
            actor_membership=self.membership,
            membership=serializer.instance,  # type: ignore[arg-type]
            role=role,
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(actor_membership=self.membership, membership=instance)


class InvitationViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations: the management team and above list, create, resend and revoke."""

    serializer_class = InvitationSerializer
    read_action = Can.INVITE
    write_action = Can.INVITE

    def get_queryset(self):
        return selectors.coalition_invitations(self.coalition)

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.coalition_member_invite(
            actor_membership=self.membership, request=self.request, **serializer.validated_data
        )

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, coalition_pk: int, pk: int) -> Response:
        invitation = services.invitation_revoke(
            actor_membership=self.membership, invitation=self.get_object()
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, coalition_pk: int, pk: int) -> Response:
        invitation = services.invitation_resend(
            actor_membership=self.membership, invitation=self.get_object(), request=request
        )
        return Response(InvitationSerializer(invitation).data)


class WorkingGroupViewSet(CoalitionScopedMixin, viewsets.ModelViewSet):
    """Working groups: everyone reads; the management team and above write."""

    serializer_class = WorkingGroupSerializer
    read_action = Can.VIEW
    write_action = Can.INVITE

    def get_queryset(self):
        return selectors.coalition_working_groups(self.coalition)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "coalition": self.coalition}

    def _save(self, serializer: BaseSerializer, group=None) -> None:
        data = serializer.validated_data
        current = group
        serializer.instance = services.working_group_save(
            actor_membership=self.membership,
            group=group,
            name=data.get("name", current.name if current else ""),
            description=data.get("description", current.description if current else ""),
            lead=data.get("lead", current.lead if current else None),
            members=data.get("members", list(current.members.all()) if current else []),
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._save(serializer, group=serializer.instance)

    def perform_destroy(self, instance) -> None:
        services.working_group_delete(actor_membership=self.membership, group=instance)

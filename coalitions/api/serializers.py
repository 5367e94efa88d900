from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coalitions.models import Coalition, Invitation, Membership, Role, Sector, WorkingGroup
from metrics.models import Geography


class GeographyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Geography
        fields = ("id", "kind", "fips", "name", "state_name")


class CoalitionSerializer(serializers.ModelSerializer):
    geography = GeographyBriefSerializer(read_only=True)
    geography_id = serializers.PrimaryKeyRelatedField(
        queryset=Geography.objects.all(),
        source="geography",
        write_only=True,
        error_messages={"does_not_exist": _("No county or city has the id {pk_value}.")},
    )
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Coalition
        fields = ("id", "name", "description", "geography", "geography_id", "my_role", "created_at")
        read_only_fields = ("id", "created_at")

    def get_my_role(self, obj: Coalition) -> str | None:
        request = self.context.get("request")
        membership = obj.memberships.filter(user=request.user).first() if request else None
        return membership.role if membership else None

    def update(self, instance: Coalition, validated_data: dict) -> Coalition:
        if "geography" in validated_data and validated_data["geography"] != instance.geography:
            raise serializers.ValidationError(
                {"geography_id": _("A coalition's jurisdiction cannot change; start a new one.")}
            )
        return super().update(instance, validated_data)


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    working_groups: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Membership
        fields = (
            "id",
            "email",
            "name",
            "role",
            "organisation",
            "sector",
            "title",
            "working_groups",
            "joined_at",
        )
        read_only_fields = tuple(f for f in fields if f != "role")  # only the role changes here


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language of the invitation email and of the new account; "
        "by default the language of the request.",
    )

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "name",
            "role",
            "organisation",
            "sector",
            "language",
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        )
        read_only_fields = (
            "id",
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        )


class CoalitionMemberField(serializers.PrimaryKeyRelatedField):
    """A membership id that must belong to the coalition of the URL; others are refused."""

    default_error_messages = {
        "does_not_exist": _("Member {pk_value} is not part of this coalition."),
    }

    def get_queryset(self):
        coalition = self.context["coalition"]
        return Membership.objects.filter(coalition=coalition)


class WorkingGroupSerializer(serializers.ModelSerializer):
    lead = CoalitionMemberField(allow_null=True, required=False)
    members = CoalitionMemberField(many=True, required=False)

    class Meta:
        model = WorkingGroup
        fields = ("id", "name", "description", "lead", "members", "created_at")
        read_only_fields = ("id", "created_at")
        validators: list = []

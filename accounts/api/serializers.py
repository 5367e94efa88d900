from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import services
from accounts.models import ApiToken, User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100,
        required=False,
        help_text=_("A name for the new token, such as the script that uses it."),
    )

    def validate(self, attrs: dict) -> dict:
        # Too many failures raise RateLimited, which the API answers with 429.
        user = services.user_authenticate(
            request=self.context.get("request"), email=attrs["email"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                _("That email and password do not match an active account."),
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = ("id", "name", "prefix", "created_at", "last_used_at")
        read_only_fields = ("id", "prefix", "created_at", "last_used_at")


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("The key, shown this once. Send it as `Token <key>`.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "token")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "email", "name", "language", "is_staff")
        read_only_fields = ("id", "email", "is_staff")

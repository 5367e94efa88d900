from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    ApiTokenSerializer,
    NewApiTokenSerializer,
    TokenRequestSerializer,
    UserSerializer,
)
from accounts.models import ApiToken, User


def _new_token_response(token: ApiToken, key: str, code: int) -> Response:
    data = NewApiTokenSerializer(token).data
    data["token"] = key
    return Response(data, status=code)


class ObtainTokenView(APIView):
    """Exchange an email and password for a new API token (sent as `Authorization: Token …`).

    Every call makes a new token; the key is in this answer only. Failed attempts are
    limited per account and per client address: past the limit the answer is 429 with
    `Retry-After`.
    """

    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: NewApiTokenSerializer,
            400: OpenApiResponse(description="Wrong email or password, or too many tokens."),
            429: OpenApiResponse(description="Too many failed attempts; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=serializer.validated_data["user"],
            name=serializer.validated_data.get("name") or _("Requested through the API"),
        )
        # 200, as this endpoint always answered, so existing clients keep working.
        return _new_token_response(token, key, status.HTTP_200_OK)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in person's own API tokens: list them, make one, revoke one."""

    serializer_class = ApiTokenSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=cast(User, self.request.user))

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=cast(User, request.user),
            name=serializer.validated_data["name"],
        )
        return _new_token_response(token, key, status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.api_token_revoke(user=cast(User, request.user), token_id=int(kwargs["pk"]))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person's own account."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

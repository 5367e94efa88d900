from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import services


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against the stored SHA-256 of each key (ApiToken).

    A subclass of DRF's class so clients and the OpenAPI schema see the same scheme.
    """

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = services.api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token.user, token

"""How service errors reach the API: one DRF exception handler for every endpoint.

Services raise Django's ``ValidationError`` (a person's bad input) and ``PermissionDenied`` (a
role too low). API views call services without try/except: this handler turns a validation
error into a 400 with the messages per field (``detail`` when the error names no field);
DRF itself answers ``PermissionDenied`` with 403 and ``Http404`` with 404. Too many attempts
(``core.throttling.RateLimited``) become a 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.throttling import RateLimited


def service_error_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("detail" if field == NON_FIELD_ERRORS else field): [
                str(m) for e in errors for m in e.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    return {"detail": [str(m) for m in exc.messages]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(service_error_detail(exc))
    elif isinstance(exc, RateLimited):
        exc = Throttled(wait=exc.retry_after, detail=exc.message)
    return exception_handler(exc, context)

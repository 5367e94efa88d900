"""Writes for accounts: sign-up, email verification."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.emails import email_send, single_line_check
from accounts.models import User

if TYPE_CHECKING:
    from rest_framework.request import Request

VERIFY_SALT = "accounts.verify-email"


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def absolute_url(base: HttpRequest | Request | str | None, path: str) -> str:
    """``path`` as a full address: from the request, from a site address kept for a job
    (``absolute_url(request, "/")`` made it), or left as a path when there is neither."""
    if base is None:
        return path
    if isinstance(base, str):
        return urljoin(base, path)
    return base.build_absolute_uri(path)


def send_templated_email(*, to: str, template: str, context: dict, language: str = "") -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and send them (as plain text,
    under the per-address limit: ``accounts.emails.email_send``)."""
    email_send(to=to, template=template, context=context, language=language)


def email_verification_send(*, user: User, request: HttpRequest | None) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    link = absolute_url(request, reverse("accounts:verify", args=[token]))
    send_templated_email(
        to=user.email,
        template="accounts/email/verify",
        context={"user": user, "link": link},
        language=user.language,
    )


@transaction.atomic
def user_signup(
    *, email: str, name: str, password: str, request: HttpRequest | None
) -> User | None:
    """Create an inactive account and send the verification link.

    Returns None when the address already has an account: the owner gets an email telling
    them so, and the page shows the same message either way, so sign-up cannot be used to
    find out who has an account.
    """
    name = single_line_check(name, "name")  # first: the same answer for every address
    existing = user_find_by_email(email)
    if existing is not None:
        send_templated_email(
            to=existing.email,
            template="accounts/email/already_registered",
            context={
                "user": existing,
                "login": absolute_url(request, reverse("accounts:login")),
                "reset": absolute_url(request, reverse("accounts:password_reset")),
            },
            language=existing.language,
        )
        return None
    user = User.objects.create_user(
        email=email,
        name=name,
        password=password,
        is_active=False,
        language=translation.get_language() or "",
    )
    transaction.on_commit(lambda: email_verification_send(user=user, request=request))
    return user


class VerificationError(Exception):
    pass


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Activate the account a verification token names; raise VerificationError if not."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise VerificationError("expired") from None
    except signing.BadSignature:
        raise VerificationError("invalid") from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise VerificationError("invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
    return user

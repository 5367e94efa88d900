"""Writes for accounts: sign-up, email verification, sign-in limits, API tokens."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.emails import email_send, single_line_check
from accounts.models import ApiToken, User
from core.throttling import (
    Limit,
    RateLimited,
    address_key,
    client_address,
    limit_reset,
    limits_hit,
    limits_wait,
)

if TYPE_CHECKING:
    from rest_framework.request import Request

logger = logging.getLogger(__name__)

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


def email_verification_send(*, user: User, request: HttpRequest | str | None) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    link = absolute_url(request, reverse("accounts:verify", args=[token]))
    send_templated_email(
        to=user.email,
        template="accounts/email/verify",
        context={"user": user, "link": link},
        language=user.language,
    )


def already_registered_send(*, user: User, site_url: str | None) -> None:
    send_templated_email(
        to=user.email,
        template="accounts/email/already_registered",
        context={
            "user": user,
            "login": absolute_url(site_url, reverse("accounts:login")),
            "reset": absolute_url(site_url, reverse("accounts:password_reset")),
        },
        language=user.language,
    )


def account_email_send(*, user_id: int, kind: str, site_url: str) -> None:
    """Send one of the sign-up emails (run by the worker, see account_email_enqueue)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if kind == "verify":
        email_verification_send(user=user, request=site_url)
    else:
        already_registered_send(user=user, site_url=site_url)


def account_email_enqueue(*, user: User, kind: str, request: HttpRequest | None) -> None:
    """Queue a sign-up email for the worker once the transaction commits.

    The request never waits for the mail server, so sign-up answers in the same time
    whether it wrote to a new address or to the owner of an existing account.
    """
    from accounts.tasks import account_email_send_task

    user_id, site_url = user.pk, absolute_url(request, "/")

    def send() -> None:
        try:
            account_email_send_task.delay(user_id, kind, site_url)
        except (KombuOperationalError, OSError):
            logger.exception("Could not queue the %s email of user %s", kind, user_id)

    transaction.on_commit(send)


# --- Attempt limits ---------------------------------------------------------------------

SIGNIN_ACCOUNT, SIGNIN_ADDRESS = Limit("signin-account"), Limit("signin-address")
RESET_ACCOUNT, RESET_ADDRESS = Limit("reset-account"), Limit("reset-address")
SIGNUP_ACCOUNT, SIGNUP_ADDRESS = Limit("signup-account"), Limit("signup-address")


def _minutes(wait: int) -> int:
    return max(1, math.ceil(wait / 60))


def _checks(
    request: HttpRequest | None, email: str, account: Limit, address: Limit
) -> list[tuple[Limit, str]]:
    checks = [(account, email.strip().lower())]
    if request is not None:
        checks.append((address, address_key(client_address(request))))
    return checks


def password_guess_allow(*, request: HttpRequest | None, email: str) -> None:
    """Raise RateLimited while the failed password checks of this account, or from this
    client address, are used up: then no password is checked until the window closes."""
    wait = limits_wait(_checks(request, email, SIGNIN_ACCOUNT, SIGNIN_ADDRESS))
    if wait:
        minutes = _minutes(wait)
        raise RateLimited(
            ngettext(
                "Too many failed sign-in attempts. For your safety, signing in is paused; "
                "try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. For your safety, signing in is paused; "
                "try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            wait,
        )


def password_guess_failed(*, request: HttpRequest | None, email: str) -> None:
    limits_hit(_checks(request, email, SIGNIN_ACCOUNT, SIGNIN_ADDRESS))


def user_authenticate(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """Check an email and password (web sign-in, admin sign-in and the token endpoint).

    Failures count per account and per client address (password_guess_allow); a success
    clears the account's count.
    """
    password_guess_allow(request=request, email=email)
    user = authenticate(request, username=email, password=password)
    if user is None:
        password_guess_failed(request=request, email=email)
    else:
        limit_reset(SIGNIN_ACCOUNT, email.strip().lower())
    return user


def password_reset_allow(*, request: HttpRequest | None, email: str) -> None:
    """Count a password reset request; RateLimited when this address or account asked
    too often (each request sends an email)."""
    checks = _checks(request, email, RESET_ACCOUNT, RESET_ADDRESS)
    wait = limits_wait(checks)
    if wait:
        minutes = _minutes(wait)
        raise RateLimited(
            ngettext(
                "Too many password reset requests. Try again in %(minutes)d minute.",
                "Too many password reset requests. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            wait,
        )
    limits_hit(checks)


def password_reset_enqueue(*, email: str, request: HttpRequest | None) -> None:
    """Queue the reset email for the worker, whether or not the address has an account:
    the request does the same work either way, so its timing tells nothing."""
    from accounts.tasks import password_reset_send_task

    site_url, language = absolute_url(request, "/"), translation.get_language() or ""
    try:  # nothing is written first, so nothing to wait for
        password_reset_send_task.delay(email, site_url, language)
    except (KombuOperationalError, OSError):
        logger.exception("Could not queue a password reset email")


def password_reset_send(*, email: str, site_url: str, language: str) -> None:
    """Send Django's reset link to the active accounts of ``email`` (run by the worker)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    parts = urlsplit(site_url)
    with translation.override(language or None):
        form.save(
            domain_override=parts.netloc or "localhost",
            use_https=parts.scheme == "https",
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        )


def _signup_allow(*, request: HttpRequest | None, email: str) -> None:
    checks = _checks(request, email, SIGNUP_ACCOUNT, SIGNUP_ADDRESS)
    wait = limits_wait(checks)
    if wait:
        minutes = _minutes(wait)
        raise RateLimited(
            ngettext(
                "Too many sign-up requests for this address or from here. "
                "Try again in %(minutes)d minute.",
                "Too many sign-up requests for this address or from here. "
                "Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            wait,
        )
    limits_hit(checks)


@transaction.atomic
def user_signup(
    *, email: str, name: str, password: str, request: HttpRequest | None
) -> User | None:
    """Create an inactive account and queue the verification link.

    Returns None when the address already has an account: the owner gets an email telling
    them so, and the page shows the same message either way. Both ways do the same work
    in the request (the password is hashed, one email is queued for the worker), so
    neither the answer nor its timing tells whether an address has an account. Raises
    RateLimited after too many sign-ups for one address or from one client.
    """
    name = single_line_check(name, "name")  # first: the same answer for every address
    _signup_allow(request=request, email=email)
    existing = user_find_by_email(email)
    password_hash = make_password(password)  # also for an existing account: same time
    if existing is not None:
        account_email_enqueue(user=existing, kind="already_registered", request=request)
        return None
    user = User.objects.create(
        email=User.objects.normalize_email(email).lower(),
        name=name,
        password=password_hash,
        is_active=False,
        language=translation.get_language() or "",
    )
    account_email_enqueue(user=user, kind="verify", request=request)
    return user


@transaction.atomic
def user_verification_resend(*, email: str, request: HttpRequest | None) -> None:
    """Queue a new verification link if the address has an unverified account; counts
    against the sign-up limits (it sends the same email)."""
    _signup_allow(request=request, email=email)
    user = user_find_by_email(email)
    if user is not None and user.email_verified_at is None:
        account_email_enqueue(user=user, kind="verify", request=request)


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


# --- API tokens -------------------------------------------------------------------------

TOKEN_KEY_PREFIX = "map_"  # noqa: S105 - marks our keys for secret scanners
# last_used_at is written at most this often per token, not on every API call.
TOKEN_LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a named token; returns it and its key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, such as the script using it.")})
    # Lock the person's row so two requests cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.API_TOKENS_PER_USER
    if ApiToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(
            {
                "name": _(
                    "You already have %(limit)d tokens. Revoke the ones you no longer use "
                    "on your account's token page first."
                )
                % {"limit": limit}
            }
        )
    key = TOKEN_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=api_token_hash(key), prefix=key[:10]
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of the person's own tokens; another person's is a 404."""
    get_object_or_404(ApiToken, user=user, pk=token_id).delete()


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The token a key belongs to, if its person is active; notes when it was used."""
    token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_password_changed(*, user: User) -> int:
    """After a password change or reset: revoke every API token of the person.

    Their other browser sessions end as well: Django keeps a hash of the password in each
    session and signs out any session whose hash no longer matches (the view that changed
    the password keeps its own session with update_session_auth_hash). A sign-in lock on
    the account is lifted: whoever set the password may now use it. Returns how many
    tokens were revoked.
    """
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    limit_reset(SIGNIN_ACCOUNT, user.email)
    return deleted


def user_language_save(*, user: User, language: str) -> User:
    """The language the person's emails and notifications are written in."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages of the site.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_language_sign_in(*, user: User, current: str) -> str:
    """The language to speak once the person is signed in: theirs, else the page's (which
    becomes theirs)."""
    if user.language:
        return user.language
    if current in dict(settings.LANGUAGES):
        user_language_save(user=user, language=current)
        return current
    return settings.LANGUAGE_CODE

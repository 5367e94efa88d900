from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    ProfileForm,
    ResendVerificationForm,
    SignupForm,
)
from accounts.models import User
from core.throttling import RateLimited

# A refused attempt (too many) is answered with this status, on pages as in the API.
TOO_MANY_REQUESTS = 429


def _user(request: HttpRequest) -> User:
    """The signed-in person (views behind login_required)."""
    return cast(User, request.user)


def _locked(form: forms.BaseForm) -> bool:
    return form.has_error(NON_FIELD_ERRORS, "locked")


def _refuse(form: forms.BaseForm, exc: RateLimited) -> None:
    form.add_error(None, ValidationError(exc.message, code="locked"))


class SignInView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """Sign in, then speak the person's language; one who has none keeps the page's."""
        response = super().form_valid(form)
        user = _user(self.request)
        language = services.user_language_sign_in(
            user=user, current=translation.get_language() or ""
        )
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if _locked(form):
            response.status_code = TOO_MANY_REQUESTS
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password, then revoke the person's tokens and other sessions.

    A wrong current password counts as a failed sign-in, so a borrowed session cannot
    guess it without limit.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.password_guess_allow(request=request, email=_user(request).email)
        except RateLimited as exc:
            messages.error(request, exc.message)
            response = self.get(request, *args, **kwargs)
            response.status_code = TOO_MANY_REQUESTS
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.has_error("old_password", "password_incorrect"):
            services.password_guess_failed(request=self.request, email=form.user.email)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            count = services.user_password_changed(user=form.user)
        if count:
            messages.info(request=self.request, message=_("Your API tokens were revoked."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: counted against the reset limits, sent by the worker."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        try:
            services.password_reset_allow(request=self.request, email=email)
        except RateLimited as exc:
            _refuse(form, exc)
            response = self.form_invalid(form)
            response.status_code = TOO_MANY_REQUESTS
            return response
        services.password_reset_enqueue(email=email, request=self.request)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set the new password, then revoke every token and session of the person."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.user_password_changed(user=form.user)
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.OPEN_SIGNUP:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_signup(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except RateLimited as exc:
            _refuse(form, exc)
        else:
            context = {"email": form.cleaned_data["email"]}
            return render(request, "accounts/signup_done.html", context)
    status = TOO_MANY_REQUESTS if _locked(form) else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except services.VerificationError as exc:
        return render(request, "accounts/verify_failed.html", {"reason": str(exc)}, status=400)
    login(request, user, backend="accounts.backends.EmailBackend")
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_verification_resend(email=form.cleaned_data["email"], request=request)
        except RateLimited as exc:
            _refuse(form, exc)
        else:
            # Same answer whether or not the address has an account.
            context = {"email": form.cleaned_data["email"]}
            return render(request, "accounts/signup_done.html", context)
    status = TOO_MANY_REQUESTS if _locked(form) else 200
    return render(request, "accounts/resend_verification.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        if user.language:
            translation.activate(user.language)
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: make one (its key shown on this answer only), see, revoke."""
    form = ApiTokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=_user(request),
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # an error for "name" lands at the field
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": _user(request).api_tokens.all(),
    }
    response = render(request, "accounts/tokens.html", context)
    # The key is in this page once: no browser or proxy may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.api_token_revoke(user=_user(request), token_id=pk)
    messages.success(request, _("The token is revoked. Programs using it can no longer sign in."))
    return redirect("accounts:tokens")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice also becomes their language,
    the one their emails and notifications are written in."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_save(user=_user(request), language=language)
    return response

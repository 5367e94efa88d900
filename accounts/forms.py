from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.emails import validate_single_line
from accounts.models import User
from core.throttling import RateLimited


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _(
            "This account is not active yet. Follow the link in the verification email we sent."
        ),
    }

    def clean(self) -> dict:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = services.user_authenticate(
                    request=self.request, email=email, password=password
                )
            except RateLimited as exc:
                raise forms.ValidationError(exc.message, code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSignInForm(EmailAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in: staff only, counted against the same attempt limits."""

    error_messages = {
        **EmailAuthenticationForm.error_messages,
        "invalid_login": _(
            "That email and password do not match a staff account. Check both and try again."
        ),
    }


class NewPasswordForm(forms.Form):
    """Two password fields, checked against each other and the validators for the new account.

    Subclasses name the account's email in ``password_email``; its name comes from the
    ``name`` field when the form has one.
    """

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_email(self, data: dict) -> str:
        return data.get("email", "")

    def clean(self) -> dict:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(email=self.password_email(data), name=data.get("name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignupForm(NewPasswordForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[validate_single_line],
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ("name", "email", "password1", "password2")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("name", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(validate_single_line)
        self.fields["language"].help_text = _(
            "The pages, your emails and your notifications are written in it."
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say what will use it, such as “Nightly export script”."),
    )

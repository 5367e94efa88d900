from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.emails import validate_single_line
from accounts.forms import NewPasswordForm
from coalitions.models import Membership, Role, Sector
from metrics.models import Geography

MAX_BULK_BYTES = 512 * 1024


class CoalitionSettingsForm(forms.Form):
    name = forms.CharField(
        label=_("Coalition name"), max_length=150, validators=[validate_single_line]
    )
    description = forms.CharField(
        label=_("What the coalition is for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CoalitionForm(CoalitionSettingsForm):
    """A new coalition: its name, the place it plans for and what it is for."""

    geography = forms.ModelChoiceField(
        label=_("County or city"),
        queryset=Geography.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the county or city the coalition plans for."),
            "invalid_choice": _("Choose a county or city from the search results."),
        },
    )
    field_order = ("name", "geography", "description")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[validate_single_line]
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    organisation = forms.CharField(
        label=_("Organization"), max_length=200, required=False, validators=[validate_single_line]
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        # Left out (an older client, a script): the inviter's current language.
        required=False,
        help_text=_("The invitation email is written in it, and later emails too."),
    )

    def __init__(self, *args: object, roles: list[Role], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]
        self.fields["language"].initial = translation.get_language()


class BulkInvitationForm(forms.Form):
    text = forms.CharField(
        label=_("Paste a list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One person per line: email, name, role, organization, sector. Only the email is "
            "needed. A header line is fine."
        ),
    )
    file = forms.FileField(
        label=_("Or upload a CSV file"), required=False, help_text=_("At most 512 KB.")
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            if upload.size > MAX_BULK_BYTES:
                raise forms.ValidationError(_("The file is larger than 512 KB."))
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                data["text"] = raw.decode("cp1252", errors="replace")
            if "\x00" in data["text"]:
                raise forms.ValidationError(_("The file is not a CSV text file."))
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste a list or choose a file."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberProfileForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("organisation", "sector", "title", "listed_in_plan", "lived_experience")
        help_texts = {
            "listed_in_plan": _(
                "The organization's name then appears in the partner list at the front of the "
                "Mobility Action Plan and its summary, once published."
            ),
            "lived_experience": _(
                "Private: only you see this. Others see how many members ticked it, never who."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organisation", "title"):
            self.fields[name].validators.append(validate_single_line)


class HandOverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("New project manager"), queryset=Membership.objects.none())

    def __init__(self, *args: object, candidates, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["to"].queryset = candidates  # type: ignore[attr-defined]
        field: forms.ModelChoiceField = self.fields["to"]  # type: ignore[assignment]
        field.label_from_instance = lambda m: f"{m.user.display_name} ({m.get_role_display()})"  # type: ignore[method-assign,assignment]


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_single_line])
    description = forms.CharField(
        label=_("Focus"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ModelChoiceField(
        label=_("Lead"), queryset=Membership.objects.none(), required=False
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, coalition, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only this coalition's members can be chosen: an id from elsewhere is refused.
        members = coalition.memberships.select_related("user")
        for name in ("lead", "members"):
            self.fields[name].queryset = members  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda m: m.user.display_name  # type: ignore[attr-defined]


class AcceptNewAccountForm(NewPasswordForm):
    """A new account made while accepting an invitation: the invited address is its email."""

    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_single_line])
    field_order = ("name", "password1", "password2")

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email
        self.fields["password1"].label = _("Choose a password")

    def password_email(self, data: dict) -> str:
        return self.email

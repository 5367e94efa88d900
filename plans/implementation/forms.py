"""Forms of the implementation pages: they check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalitions.models import Coalition, Membership
from plans.implementation.models import Channel
from plans.map.models import ExportFormat, ImplementationStatus, MapVersion, StrategicAction


class DateInput(forms.DateInput):
    input_type = "date"


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.name or obj.user.email)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    reason = forms.CharField(
        label=_("Why (needed when stalled or dropped; internal unless published)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    owner = _MemberChoice(label=_("Owner"), queryset=Membership.objects.none(), required=False)
    note = forms.CharField(
        label=_("Note on the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.filter(  # type: ignore[attr-defined]
            coalition=coalition
        ).select_related("user")


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )
    public = forms.BooleanField(label=_("May appear on the public scorecard"), required=False)

    def __init__(
        self, *args: Any, status_note: bool = False, author: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if status_note:  # a note of a change of status may lose its words, not its status
            self.fields["text"].required = False
        if not author:  # whether a note may be published stays its author's choice
            del self.fields["public"]


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput, required=False)
    undo = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EarlyWinForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    action = forms.ModelChoiceField(
        label=_("Strategic action"), queryset=StrategicAction.objects.none(), required=False
    )
    evidence = forms.CharField(label=_("Measure or evidence"), max_length=300, required=False)
    shared_with = forms.MultipleChoiceField(
        label=_("Shared with"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    public = forms.BooleanField(
        label=_("Show on the public scorecard (project managers)"), required=False
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = StrategicAction.objects.filter(  # type: ignore[attr-defined]
            coalition=coalition
        )


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput)
    period_end = forms.DateField(label=_("To"), widget=DateInput)
    formats = forms.MultipleChoiceField(
        label=_("Files"),
        choices=ExportFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ExportFormat.PDF],
    )
    include_reasons = forms.BooleanField(
        label=_("Say why actions stalled (project managers)"), required=False
    )

    @classmethod
    def with_this_year(cls) -> ReportForm:
        today = timezone.localdate()
        return cls(initial={"period_start": today.replace(day=1, month=1), "period_end": today})


class PublicationForm(forms.Form):
    show_reasons = forms.BooleanField(
        label=_("Also show why actions stalled or were dropped"), required=False
    )


class CycleStartForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Start from version"), queryset=MapVersion.objects.none()
    )
    note = forms.CharField(
        label=_("Why a new cycle (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        field.queryset = MapVersion.objects.filter(coalition=coalition)  # type: ignore[attr-defined]
        field.label_from_instance = lambda v: _("Version %(n)s") % {"n": v.number}  # type: ignore[attr-defined]

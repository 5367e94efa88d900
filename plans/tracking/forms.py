"""Forms of the values pages. They only carry text: plans.tracking.services checks each row
(period, number for the unit, range, subgroup, duplicates) and says what is wrong."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from metrics.models import LocalDataset
from plans.tracking.services import COLUMNS, MAX_ROWS

ENTRY_ROWS = 5


class ValueRowForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=20)
    value = forms.CharField(label=_("Value"), required=False, max_length=40)
    subgroup = forms.CharField(label=_("Subgroup"), required=False, max_length=80)
    lower = forms.CharField(label=_("Lower bound"), required=False, max_length=40)
    upper = forms.CharField(label=_("Upper bound"), required=False, max_length=40)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any((data.get(name) or "").strip() for name in COLUMNS)


ValueRowFormSet = forms.formset_factory(
    ValueRowForm, extra=ENTRY_ROWS, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


class PasteForm(forms.Form):
    pasted = forms.CharField(
        label=_("Rows from a spreadsheet"),
        help_text=_(
            "Copy the cells from a spreadsheet, or type one row a line separated by commas, in "
            "this order: period, value, subgroup, lower bound, upper bound, source, note. "
            "Only period and value are needed."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
    )


class DatasetForm(forms.Form):
    dataset: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Local dataset"), queryset=LocalDataset.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, datasets: QuerySet[LocalDataset], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["dataset"]).queryset = datasets


class SubgroupTargetForm(forms.Form):
    """One subgroup's own baseline and target: text as a person types it for the unit."""

    subgroup = forms.CharField(widget=forms.HiddenInput, max_length=80)
    baseline_value = forms.CharField(label=_("Baseline"), required=False, max_length=40)
    baseline_date = forms.CharField(label=_("Baseline date"), required=False, max_length=20)
    target_value = forms.CharField(label=_("Target"), required=False, max_length=40)
    target_date = forms.CharField(label=_("Target date"), required=False, max_length=20)


SubgroupTargetFormSet = forms.formset_factory(
    SubgroupTargetForm, extra=0, max_num=40, absolute_max=40
)

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from metrics.models import Predictor

ALLOWED_SUFFIXES = (".csv", ".csv.gz", ".txt")


class MetricImportForm(forms.Form):
    file = forms.FileField(
        label=_("Mobility Metrics file"),
        help_text=_("A CSV file from the Urban Institute (or the same file compressed, .csv.gz)."),
    )
    release = forms.CharField(
        label=_("Release"),
        max_length=40,
        initial="2025",
        validators=[RegexValidator(r"^[\w.-]+$", _("Letters, digits, dots and dashes only."))],
        help_text=_("Files of one release sit together; a new name starts a new release."),
    )
    level = forms.ChoiceField(
        label=_("Geography level"),
        required=False,
        choices=[("", _("As the file says")), ("county", _("Counties")), ("city", _("Cities"))],
        help_text=_("A file for the other level is refused."),
    )
    year = forms.IntegerField(
        label=_("Year of the data"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Only for older files without a year column."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv or .csv.gz file."))
        limit = settings.METRICS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)d MB.") % {"mb": limit // 1_000_000}
            )
        return upload


class LocalDatasetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A CSV file or an Excel workbook (.xlsx), header in row 1.")
    )
    name = forms.CharField(label=_("Indicator"), max_length=200)
    predictor = forms.ModelChoiceField(
        label=_("Predictor it measures"),
        queryset=Predictor.objects.select_related("pillar").order_by("position"),
    )
    unit = forms.CharField(label=_("Unit"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description and source"), widget=forms.Textarea, required=False, max_length=2000
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        limit = settings.SPREADSHEET_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"}
            )
        return upload


class LocalDatasetMappingForm(forms.Form):
    """One choice per role, among the file's column names."""

    LABELS = {
        "area": _("Geography or sub-area"),
        "year": _("Year"),
        "value": _("Value"),
        "subgroup": _("Subgroup"),
        "lb": _("Lower bound"),
        "ub": _("Upper bound"),
    }

    def __init__(self, *args, columns: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *[(c, c) for c in columns]]
        for role, label in self.LABELS.items():
            self.fields[role] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=role in ("area", "year", "value"),
                initial=initial_mapping.get(role) or _guess(role, columns),
            )


def _guess(role: str, columns: list[str]) -> str:
    words = {
        "area": ("area", "geography", "neighborhood", "tract", "place", "county", "name"),
        "year": ("year",),
        "value": ("value", "rate", "share", "percent"),
        "subgroup": ("subgroup", "group"),
        "lb": ("lower", "lb", "low"),
        "ub": ("upper", "ub", "high"),
    }[role]
    for column in columns:
        if column.strip().lower() in words:
            return column
    return ""

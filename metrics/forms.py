from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

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
    year = forms.IntegerField(
        label=_("Year of the data"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Only for older files without a year column."),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
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

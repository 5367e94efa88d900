"""Forms of the strategy and MAP pages. They check shape only; services check meaning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coalitions.models import Coalition
from plans.map import metric_data, options
from plans.map.models import (
    Decision,
    ExportFormat,
    ExportKind,
    PageSize,
    ReviewerType,
    SectionStatus,
)

LINES_HELP = _("One per line.")


def _checkboxes(choices: list[tuple[str, str]], label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _text(label: Any, max_length: int, rows: int = 3, **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=kw.pop("required", False),
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


class VisionForm(forms.Form):
    statement = _text(
        _("Our community vision statement"),
        1000,
        rows=5,
        required=True,
        help_text=_(
            "Our community when everyone can reach economic success, power and autonomy, and "
            "dignity and belonging. About 75 words."
        ),
    )
    adopted_on = _date(_("Date adopted"))
    adopted_how = forms.CharField(label=_("How it was adopted"), max_length=300, required=False)


class PriorityAreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    pillar = forms.ChoiceField(label=_("Pillar"), required=False)
    predictors = forms.MultipleChoiceField(
        label=_("Predictors"), required=False, widget=forms.CheckboxSelectMultiple
    )
    rationale = _text(_("Why it matters here"), 2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", "—"), *options.pillars()]  # type: ignore[attr-defined]
        self.fields["predictors"].choices = options.predictors()  # type: ignore[attr-defined]


class TheoryForm(forms.Form):
    priority_area: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Priority area"),
        queryset=None,
        required=False,
        empty_label=_("The whole plan"),
    )
    # Each part is asked for as the phrase its place in the sentence needs
    # (plans.theory_of_change); the page shows the joined sentence as people type.
    problem = _text(
        _("The problem: what must change?"),
        2000,
        required=True,
        help_text=_(
            "A phrase that completes “To address …”, not a whole sentence. For example: "
            "the shortage of homes that low-income renters, most of them Black families, can "
            "afford"
        ),
    )
    solution = _text(
        _("The strategies: what will we do?"),
        2000,
        required=True,
        help_text=_(
            "What follows “we will …”, starting with a verb. For example: build 500 homes "
            "that rent below 30% of income and fund a rental assistance program"
        ),
    )
    impact_medium = _text(
        _("The result in the medium term"),
        2000,
        help_text=_(
            "What the strategies will lead to in a few years, as a phrase. For example: more "
            "homes that low-income renters can afford, and fewer evictions"
        ),
    )
    impact_long = _text(
        _("The result in the long term"),
        2000,
        help_text=_(
            "What will be different for residents in the end, as a phrase. For example: "
            "stable housing and growing wealth for Black families"
        ),
    )
    statement = _text(
        _("Our own wording"),
        3000,
        help_text=_(
            "Leave empty to use the sentence joined from the four parts above. Text written "
            "here replaces that sentence in the plan."
        ),
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]


ELEMENT_FIELDS = {
    "input": _("Inputs (staff, funding, data, partnerships)"),
    "output": _("Outputs (what the action directly produces)"),
    "outcome_short": _("Short-term outcomes"),
    "outcome_medium": _("Medium-term outcomes"),
    "outcome_long": _("Long-term outcomes"),
}


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Strategic action"), max_length=300)
    description = _text(_("Description"), 3000)
    priority_area: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Priority area"),
        queryset=None,
        required=False,
    )
    action_types = _checkboxes([], _("Type of action"))
    systems_conditions = _checkboxes([], _("Conditions of systems change it shifts"))
    target_population = _text(_("Who benefits, and how does it advance equity?"), 2000)
    lead_organisation = forms.CharField(
        label=_("Lead organization"), max_length=200, required=False
    )
    partners = forms.CharField(label=_("Partners"), max_length=500, required=False)
    start_date = _date(_("Start"))
    end_date = _date(_("End"))
    working_group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Working group"),
        queryset=None,
        required=False,
    )
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost (US dollars)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=False,
    )
    funding_source = forms.CharField(label=_("Funding source"), max_length=300, required=False)
    funding_status = forms.ChoiceField(label=_("Funding status"), required=False)
    decision_asked = _text(
        _("Decision asked of the government"),
        2000,
        help_text=_("For example: adopt an ordinance, fund a position in next year's budget."),
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority_area"].queryset = coalition.priority_areas.all()  # type: ignore[attr-defined]
        self.fields["working_group"].queryset = coalition.working_groups.all()  # type: ignore[attr-defined]
        self.fields["funding_status"].choices = [("", "—"), *options.funding_statuses()]  # type: ignore[attr-defined]
        self.fields["action_types"].choices = options.action_types()  # type: ignore[attr-defined]
        self.fields["systems_conditions"].choices = options.systems_conditions()  # type: ignore[attr-defined]
        for key, label in ELEMENT_FIELDS.items():
            self.fields[key] = _text(label, 5000, rows=4, help_text=LINES_HELP)

    def element_lines(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in ELEMENT_FIELDS}


class MilestoneForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Milestone"), max_length=300, required=False)
    due_date = _date(_("Due date"))

    def row(self) -> dict[str, Any] | None:
        """The milestone to save, or None for a row left empty or marked for deletion."""
        d = self.cleaned_data
        if d.get("DELETE") or not (d.get("title") or d.get("due_date")):
            return None
        return {"id": d.get("id"), "title": d.get("title") or "", "due_date": d.get("due_date")}


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, can_delete=True)


class HeadlineGoalForm(forms.Form):
    metric_variable = forms.ChoiceField(
        label=_("Mobility Metric"),
        required=False,
        help_text=_("Choose a Mobility Metric, or one of the coalition's local datasets below."),
    )
    local_dataset: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Local dataset"), queryset=None, required=False
    )
    indicator = forms.CharField(
        label=_("Indicator as the plan names it"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the name of the metric or dataset."),
    )
    baseline = forms.CharField(
        label=_("Baseline"),
        max_length=40,
        required=False,
        help_text=_(
            "Leave empty to start from the latest value of the data. Percentages as 39.9% "
            "or 39.9; a ratio as a:b."
        ),
    )
    baseline_date = _date(_("Baseline date"))
    target = forms.CharField(label=_("Target"), max_length=40)
    target_date = forms.DateField(
        label=_("Target date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    subgroup = forms.CharField(
        label=_("Subgroup"),
        max_length=80,
        required=False,
        help_text=_("A group whose gap to everyone the goal also targets, as the data name it."),
    )
    gap_target = forms.CharField(
        label=_("Gap target"),
        max_length=40,
        required=False,
        help_text=_(
            "The group's difference to everyone by the target date (the group minus everyone; "
            "for a percentage, in percentage points, e.g. -5)."
        ),
    )
    note = _text(
        _("Note for readers of the plan"),
        1000,
        help_text=_("Printed under the goal's chart, in the plan and on its public page."),
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_variable"].choices = [("", "—"), *metric_data.metric_choices()]  # type: ignore[attr-defined]
        self.fields["local_dataset"].queryset = metric_data.local_datasets(coalition)  # type: ignore[attr-defined]


class MeasureForm(forms.Form):
    measure = forms.CharField(label=_("Measure of progress"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of measure"), required=False)
    metric_variable = forms.ChoiceField(label=_("Mobility Metric"), required=False)
    baseline = forms.CharField(label=_("Baseline"), max_length=100, required=False)
    baseline_date = _date(_("Baseline date"))
    target = forms.CharField(label=_("Target"), max_length=100, required=False)
    target_date = _date(_("Target date"))
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        help_text=_("A measure that follows a Mobility Metric takes the metric's unit."),
    )
    subgroups = forms.CharField(
        label=_("Subgroups with their own values"),
        max_length=500,
        required=False,
        help_text=_("Names separated by commas, for example: Black, Hispanic, White."),
    )
    gap_subgroup = forms.CharField(
        label=_("Target a gap: the group"),
        max_length=80,
        required=False,
        help_text=_("For example: close the gap between this group and everyone by half."),
    )
    gap_reduction_percent = forms.IntegerField(
        label=_("Reduce that gap by (%)"), min_value=1, max_value=100, required=False
    )
    disaggregation = _checkboxes([], _("Broken down by"))
    data_source = forms.CharField(label=_("Data source"), max_length=300, required=False)
    frequency = forms.ChoiceField(label=_("How often it is collected"), required=False)
    responsible = forms.CharField(
        label=_("Who gathers and reports it"), max_length=200, required=False
    )
    audience = _checkboxes([], _("Reported to"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["kind"].choices = blank + options.measure_kinds()  # type: ignore[attr-defined]
        self.fields["frequency"].choices = blank + options.frequencies()  # type: ignore[attr-defined]
        self.fields["disaggregation"].choices = options.disaggregations()  # type: ignore[attr-defined]
        self.fields["audience"].choices = options.audiences()  # type: ignore[attr-defined]
        self.fields["metric_variable"].choices = blank + metric_data.metric_choices()  # type: ignore[attr-defined]
        self.fields["unit"].choices = measure_units()  # type: ignore[attr-defined]
        if isinstance(self.initial.get("subgroups"), list):
            self.initial["subgroups"] = ", ".join(self.initial["subgroups"])

    def clean_subgroups(self) -> list[str]:
        names = [n.strip() for n in (self.cleaned_data.get("subgroups") or "").split(",")]
        return list(dict.fromkeys(n for n in names if n))


def measure_units() -> list[tuple[str, str]]:
    """The units a measure's values can be in, as readers read them."""
    from metrics.charts.formatting import UNITS, unit_label

    named = sorted(((u, str(unit_label(u))) for u in UNITS if u != "number"), key=lambda x: x[1])
    return [("number", str(_("Number"))), *named]


class SectionForm(forms.Form):
    narrative = forms.CharField(
        label=_("Narrative"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: *emphasis*, **strong**, lists, links. Other HTML is removed."),
    )
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=SectionStatus.choices)

    def __init__(self, *args: Any, coalition: Coalition, can_run: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = coalition.memberships.select_related("user")  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda m: m.user.name or m.user.email  # type: ignore[attr-defined]
        if not can_run:
            del self.fields["owner"]
            del self.fields["status"]


class FreezeForm(forms.Form):
    override_reason = _text(
        _("Why freeze this version anyway?"),
        2000,
        help_text=_(
            "The version keeps the findings of the check and your reason; only the coalition "
            "sees them, never the public."
        ),
    )

    def __init__(self, *args: Any, findings: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["override_reason"]
        field.required = findings
        field.error_messages["required"] = _(
            "Say why this version should be frozen despite the check."
        )


class ReviewRequestForm(forms.Form):
    reviewers: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    reviewer_type = forms.ChoiceField(
        label=_("They review as"), choices=ReviewerType.choices, initial=ReviewerType.COALITION
    )
    note = _text(_("Note to the reviewers"), 2000)

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["reviewers"]
        field.queryset = coalition.memberships.select_related("user")
        field.label_from_instance = lambda m: (
            f"{m.user.name or m.user.email} ({m.get_role_display()})"
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING],
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment"), 5000, help_text=_("Required unless you approve without changes."))


class PlanSettingsForm(forms.Form):
    """The cover and front matter. The logo's content is checked by the service (Pillow)."""

    logo = forms.FileField(
        label=_("Coalition logo"),
        required=False,
        help_text=_("A PNG, JPEG or WebP image of at most 2 MB; it goes on the cover."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    acknowledgements = _text(
        _("Acknowledgements"),
        5000,
        rows=5,
        help_text=_("Printed after the cover. Markdown: *italic*, **bold**, lists."),
    )
    page_size = forms.ChoiceField(label=_("Page size"), choices=PageSize.choices)
    language = forms.ChoiceField(
        label=_("Language of the plan"),
        required=False,
        choices=[("", _("The site's default language")), *settings.LANGUAGES],
        help_text=_("The plan's headings, dates and numbers are written in this language."),
    )


class ExportStartForm(forms.Form):
    version = forms.IntegerField(required=False)
    kind = forms.ChoiceField(label=_("What"), choices=ExportKind.choices, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["kind"] = data.get("kind") or ExportKind.PLAN
        data["format"] = data.get("format") or ExportFormat.PDF
        return data

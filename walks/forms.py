"""Forms of the data walks: they check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from walks.models import (
    MAX_QUESTIONS,
    TEXT_LIMIT,
    AgeBand,
    DataWalk,
    Demographic,
    LivedExperience,
    RaceEthnicity,
    Reaction,
    Station,
)


class DataWalkForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=120)
    title_es = forms.CharField(label=_("Title in Spanish"), max_length=120, required=False)
    intro_en = forms.CharField(
        label=_("Welcome in English"), max_length=800, required=False, widget=forms.Textarea
    )
    intro_es = forms.CharField(
        label=_("Welcome in Spanish"), max_length=800, required=False, widget=forms.Textarea
    )
    use_en = forms.CharField(
        label=_("How answers are used, in English"),
        max_length=800,
        widget=forms.Textarea,
        help_text=_(
            "Residents read this before they answer. Say who reads the answers, that they are "
            "anonymous, and how they reach the plan."
        ),
    )
    use_es = forms.CharField(
        label=_("How answers are used, in Spanish"),
        max_length=800,
        required=False,
        widget=forms.Textarea,
    )
    demographics = forms.MultipleChoiceField(
        label=_("Ask residents about themselves (always optional for them)"),
        choices=Demographic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_walk(cls, walk: DataWalk) -> DataWalkForm:
        return cls(initial={name: getattr(walk, name) for name in cls.base_fields})


class StationForm(forms.Form):
    variable = forms.ChoiceField(
        label=_("Metric"),
        help_text=_("A Mobility Metric, or an area of your coalition's local data."),
    )
    caption_en = forms.CharField(
        label=_("Caption in English"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In plain words: what the number means for people here."),
    )
    caption_es = forms.CharField(
        label=_("Caption in Spanish"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    quick_reaction = forms.BooleanField(
        label=_("Offer a quick reaction (I agree / Not my experience / I want to know more)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, metrics: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        variable = self.fields["variable"]
        assert isinstance(variable, forms.ChoiceField)
        variable.choices = [("", _("Choose a metric")), *metrics]
        for i in range(MAX_QUESTIONS):
            self.fields[f"q{i}_en"] = forms.CharField(
                label=_("Question %(n)s in English") % {"n": i + 1}, max_length=300, required=False
            )
            self.fields[f"q{i}_es"] = forms.CharField(
                label=_("Question %(n)s in Spanish") % {"n": i + 1}, max_length=300, required=False
            )

    @staticmethod
    def initial_for(station: Station | None, defaults: dict[str, list[str]]) -> dict[str, Any]:
        if station is None:
            initial: dict[str, Any] = {"quick_reaction": True}
            en, es = defaults["en"], defaults["es"]
        else:
            initial = {
                "variable": station.variable,
                "caption_en": station.caption_en,
                "caption_es": station.caption_es,
                "quick_reaction": station.quick_reaction,
            }
            en, es = station.questions_en, station.questions_es
        for i in range(MAX_QUESTIONS):
            initial[f"q{i}_en"] = en[i] if i < len(en) else ""
            initial[f"q{i}_es"] = es[i] if i < len(es) else ""
        return initial

    def questions(self, lang: str) -> list[str]:
        return [self.cleaned_data.get(f"q{i}_{lang}", "") for i in range(MAX_QUESTIONS)]


class TagForm(forms.Form):
    themes = forms.CharField(
        label=_("Themes (separate with commas)"), max_length=400, required=False
    )
    is_quote = forms.BooleanField(label=_("Use as a quote"), required=False)

    def theme_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("themes", "").split(",") if t.strip()]


class FacilitateForm(forms.Form):
    quotes = forms.CharField(
        label=_("What people said (one quote per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_LIMIT * 5,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Reaction.choices:
            self.fields[value] = forms.IntegerField(
                label=_("People who said “%(reaction)s”") % {"reaction": label},
                min_value=0,
                max_value=500,
                required=False,
                initial=0,
            )
        self.order_fields([*Reaction.values, "quotes"])

    def counts(self) -> dict[str, int]:
        return {r: self.cleaned_data.get(r) or 0 for r in Reaction.values}

    def quote_lines(self) -> list[str]:
        return [line for line in self.cleaned_data.get("quotes", "").splitlines() if line.strip()]


# --- The resident's forms (no account; plain HTML, no JavaScript) -------------------------------


class AnswerForm(forms.Form):
    """A station's questions and its quick reaction. Lengths are checked by the service, so an
    over-long answer gets its own message and the text is kept for the resident."""

    reaction = forms.ChoiceField(
        label=_("Your quick reaction"),
        choices=Reaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, questions: list[str], quick_reaction: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for i, question in enumerate(questions):
            self.fields[f"q{i}"] = forms.CharField(
                label=question,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT}),
            )
        if not quick_reaction:
            del self.fields["reaction"]
        else:
            self.order_fields([f"q{i}" for i in range(len(questions))] + ["reaction"])

    def texts(self) -> dict[int, str]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and name[1:].isdigit()
        }


class AboutForm(forms.Form):
    """What a resident may choose to say about themselves; only the walk's chosen questions."""

    def __init__(self, *args: Any, asked: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("I prefer not to say"))]
        fields: dict[str, forms.Field] = {
            Demographic.NEIGHBOURHOOD: forms.CharField(
                label=_("Your neighbourhood"), max_length=80, required=False
            ),
            Demographic.AGE_BAND: forms.ChoiceField(
                label=_("Your age"), choices=none + list(AgeBand.choices), required=False
            ),
            Demographic.RACE_ETHNICITY: forms.ChoiceField(
                label=_("Your race or ethnicity"),
                choices=none + list(RaceEthnicity.choices),
                required=False,
            ),
            Demographic.LIVED_EXPERIENCE: forms.ChoiceField(
                label=_("Do the issues on this walk touch your own life?"),
                choices=none + list(LivedExperience.choices),
                required=False,
            ),
        }
        for key in asked:
            if key in fields:
                self.fields[key] = fields[key]


class ContactForm(forms.Form):
    contact = forms.CharField(
        label=_("Email or phone (only if you want us to reach you)"), max_length=400
    )

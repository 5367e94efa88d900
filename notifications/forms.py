from __future__ import annotations

from typing import Any

from django import forms

from notifications.models import Delivery
from plans.models import NotificationKind


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification (the page shows them as a table of radios)."""

    deliveries = Delivery.choices

    def __init__(self, *args: Any, initial_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_choices[kind.value],
                widget=forms.RadioSelect,
            )

"""Template filters of the implementation pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from plans.map.blocks import date_words

register = template.Library()


@register.filter
def words(value: dt.date | dt.datetime | None) -> str:
    """A date (or the local day of a moment) in words: "December 4, 2026"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_words(value)

"""Periods a value is for, and numbers as people type them for a unit.

Plain functions, shared by the data migration of the old text baselines, the services, the
API and the status rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.charts.formatting import HUNDREDS, display_unit, value_parse
from metrics.parsing import number_parse

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"^Q([1-4])\s*[-/ ]?\s*(\d{4})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class Period:
    key: str  # "2024", "2024-Q2", "2024-05", "2024-05-17"
    date: dt.date  # the period's last day

    @property
    def year(self) -> int:
        return self.date.year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, quarter: int) -> Period:
    return Period(f"{year}-Q{quarter}", _month_end(year, quarter * 3))


def period_parse(text: str) -> Period:
    """The period a person wrote: ``2024``, ``2024-Q2`` (or ``Q2 2024``), ``2024-05``,
    ``2024-05-17`` or ``5/17/2024``. ValueError with a sentence to show otherwise."""
    raw = (text or "").strip()
    try:
        if m := _YEAR.match(raw):
            year = int(m[1])
            return Period(str(year), dt.date(year, 12, 31))
        if m := _QUARTER.match(raw):
            return _quarter(int(m[1]), int(m[2]))
        if m := _QUARTER_FIRST.match(raw):
            return _quarter(int(m[2]), int(m[1]))
        if m := _MONTH.match(raw):
            year, month = int(m[1]), int(m[2])
            return Period(f"{year}-{month:02d}", _month_end(year, month))
        if m := _DAY.match(raw):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day.isoformat(), day)
        if m := _US_DAY.match(raw):
            day = dt.date(int(m[3]), int(m[1]), int(m[2]))
            return Period(day.isoformat(), day)
    except ValueError:
        pass
    if not raw:
        raise ValueError(
            _(
                "Give the period: a year (2024), a quarter (2024-Q2), a month (2024-05) "
                "or a date (2024-05-17)."
            )
        )
    raise ValueError(
        _(
            "“%(text)s” is not a period: write a year (2024), a quarter (2024-Q2), "
            "a month (2024-05) or a date (2024-05-17)."
        )
        % {"text": raw[:40]}
    )


def period_label(key: str) -> str:
    """A period as a reader reads it: "2024", "Q2 2024", "May 2024", "May 17, 2024"."""
    from django.utils.formats import date_format

    period = period_parse(key)
    if len(key) == 4:
        return key
    if "Q" in key:
        return _("Q%(quarter)s %(year)s") % {"quarter": key[-1], "year": key[:4]}
    if len(key) == 7:
        return date_format(period.date, "F Y")
    from plans.map.blocks import date_words

    return date_words(period.date)


def number_from_text(text: str, unit: str) -> float | None:
    """The number a baseline or target written as text stands for, in ``unit`` as stored, or
    None when the text is no number ("about half", "TBD").

    A bare fraction of a share (``0.399076``) is the number as the data store it (baselines
    were prefilled so once): read as stored, as plans.map.metric_data.measure_value_text does.
    """
    text = (text or "").strip()
    if not text:
        return None
    unit = display_unit(unit)
    try:
        stored = number_parse(text)
    except ValueError:
        stored = None
    if stored is not None and unit in HUNDREDS and abs(stored) <= 1:
        return stored
    try:
        return value_parse(text, unit)
    except ValueError:
        return None


def unit_guess(text: str) -> str:
    """The unit a free-text baseline suggests for a measure on no metric."""
    text = (text or "").strip()
    if text.endswith("%"):
        return "share"
    if text.startswith("$"):
        return "dollars"
    return "number"

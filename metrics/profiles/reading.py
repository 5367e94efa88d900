"""How to read one value: units for display and charts, direction, comparison with a median."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.charts import format_value
from metrics.charts.formatting import display_unit
from metrics.quality import WEAK

if TYPE_CHECKING:
    from metrics.profiles.disparities import Gap


@dataclass(frozen=True)
class Reading:
    """One value of one metric for one place and year."""

    year: int
    value: float | None
    value_a: float | None = None
    value_b: float | None = None
    lb: float | None = None
    ub: float | None = None
    quality: int | None = None

    @property
    def number(self) -> float | None:
        """The value to compare: for a text ratio a:b, a divided by b."""
        if self.value is not None:
            return self.value
        if self.value_a is not None and self.value_b:
            return self.value_a / self.value_b
        return None

    @property
    def is_weak(self) -> bool:
        return self.quality == WEAK


def chart_unit(unit: str) -> str:
    """The formatter knows every catalog unit; anything else (a typo, a local unit) is a number."""
    return display_unit(unit)


def chart_direction(direction: str) -> str | None:
    return direction if direction in ("higher", "lower", "parity") else None


def display(reading: Reading | None, unit: str) -> str:
    if reading is None:
        return _("No data")
    if unit == "text_ratio" and reading.value_a is not None and reading.value_b is not None:
        return _("%(a)s of wealth, %(b)s of households") % {
            "a": format_value(reading.value_a, "share"),
            "b": format_value(reading.value_b, "share"),
        }
    return format_value(reading.number, chart_unit(unit))


def number_text(value: float | None, unit: str) -> str:
    """A bare number of a metric (a median, a bound) in its unit."""
    return format_value(value, chart_unit(unit))


def compare(
    value: float | None,
    median: float | None,
    direction: str,
    *,
    lb: float | None = None,
    ub: float | None = None,
) -> str | None:
    """'better', 'worse', 'same' or 'unclear' against the median; None when not comparable."""
    if value is None or median is None or direction not in ("higher", "lower", "parity"):
        return None
    if lb is not None and ub is not None and lb <= median <= ub:
        return "unclear"  # the median lies inside the 95% interval
    if direction == "parity":
        if value <= 0 or median <= 0:
            return None
        ours, theirs = abs(math.log(value)), abs(math.log(median))
        if abs(ours - theirs) < 0.01:
            return "same"
        return "better" if ours < theirs else "worse"
    scale = max(abs(median), 1e-9)
    if abs(value - median) / scale < 0.01:
        return "same"
    higher = value > median
    return "better" if higher == (direction == "higher") else "worse"


COMPARISON_TEXT = {
    "better": gettext_lazy("Better than the national median"),
    "worse": gettext_lazy("Worse than the national median"),
    "same": gettext_lazy("About the same as the national median"),
    "unclear": gettext_lazy(
        "Not clearly different from the national median (within the 95% interval)"
    ),
}
DIRECTION_TEXT = {
    "higher": gettext_lazy("Higher is better."),
    "lower": gettext_lazy("Lower is better."),
    "parity": gettext_lazy("Closer to 1 (parity) is better."),
    "none": gettext_lazy("Shown for context; neither higher nor lower is better."),
}

SUBGROUP_TYPE_TEXT = {
    "race-ethnicity": gettext_lazy("Race and ethnicity"),
    "race-share": gettext_lazy("Neighborhood racial makeup"),
    "income": gettext_lazy("Income"),
    "age": gettext_lazy("Age"),
    "gender": gettext_lazy("Gender"),
    "tenure": gettext_lazy("Renters and owners"),
    "disability": gettext_lazy("Disability"),
    "industry": gettext_lazy("Industry"),
    "mothers-education": gettext_lazy("Mother's education"),
    "poverty": gettext_lazy("Neighborhood poverty"),
}


def subgroup_type_text(kind: str) -> str:
    return str(SUBGROUP_TYPE_TEXT.get(kind, kind.replace("-", " ").capitalize()))


# The subgroups Urban's files name, in the reader's language (in English as Urban spells
# them, so charts and tables agree). The stored name stays the key goals and gap targets
# keep; only what a reader sees is translated. A name Urban adds later prints as spelled.
SUBGROUP_NAMES = {
    "All": gettext_lazy("All"),
    "Black": gettext_lazy("Black"),
    "Black, Non-Hispanic": gettext_lazy("Black, Non-Hispanic"),
    "Hispanic": gettext_lazy("Hispanic"),
    "White": gettext_lazy("White"),
    "White, Non-Hispanic": gettext_lazy("White, Non-Hispanic"),
    "Other Races and Ethnicities": gettext_lazy("Other Races and Ethnicities"),
    "Mixed neighborhoods": gettext_lazy("Mixed neighborhoods"),
    "Neighborhoods of color": gettext_lazy("Neighborhoods of color"),
    "White neighborhoods": gettext_lazy("White neighborhoods"),
    "Owner": gettext_lazy("Owner"),
    "Renter": gettext_lazy("Renter"),
    "Female": gettext_lazy("Female"),
    "Male": gettext_lazy("Male"),
    "With Disability": gettext_lazy("With Disability"),
    "Without Disability": gettext_lazy("Without Disability"),
    "Less than $50,000": gettext_lazy("Less than $50,000"),
    "$50,000 or More": gettext_lazy("$50,000 or More"),
    "Economically Disadvantaged": gettext_lazy("Economically Disadvantaged"),
    "Not Economically Disadvantaged": gettext_lazy("Not Economically Disadvantaged"),
    "High-Poverty": gettext_lazy("High-Poverty"),
    "Not High-Poverty": gettext_lazy("Not High-Poverty"),
    "Under Age 45": gettext_lazy("Under Age 45"),
    "Age 45 and Over": gettext_lazy("Age 45 and Over"),
    "Age 10 to 14": gettext_lazy("Age 10 to 14"),
    "Age 15 to 17": gettext_lazy("Age 15 to 17"),
    "College Degree or Higher": gettext_lazy("College Degree or Higher"),
    "Some College": gettext_lazy("Some College"),
    "GED/High School Degree": gettext_lazy("GED/High School Degree"),
    "Less than High School": gettext_lazy("Less than High School"),
    "Education and Health": gettext_lazy("Education and Health"),
    "Goods Producing": gettext_lazy("Goods Producing"),
    "Information Services": gettext_lazy("Information Services"),
    "Leisure and Other": gettext_lazy("Leisure and Other"),
    "Professional Services": gettext_lazy("Professional Services"),
    "Public Administration": gettext_lazy("Public Administration"),
    "Trade, Transit, Utilities": gettext_lazy("Trade, Transit, Utilities"),
}
_SUBGROUP_KEYS = {name.casefold(): name for name in SUBGROUP_NAMES}


def subgroup_name_text(name: str) -> str:
    """A subgroup as a reader reads it: "Black, Non-Hispanic", "Negro, no hispano"."""
    key = _SUBGROUP_KEYS.get((name or "").strip().casefold())
    return str(SUBGROUP_NAMES[key]) if key else name


def gap_overlap_text(gap: Gap) -> str:
    """The metric pages' honest wording on whether a gap may be real."""
    overlap = gap.overlap
    if overlap:
        return _("Intervals overlap: the difference may not be real")
    if overlap is False:
        return _("Their 95% confidence intervals do not overlap.")
    # xgettext:no-python-format (a literal percent sign, not a placeholder)
    return _("No 95% interval published: how sure the gap is cannot be said.")


def gap_size_text(gap: Gap) -> str:
    size = gap.size
    if size is None:
        return _("No relative size (everyone's value is zero)")
    pct = format_value(size, "share")
    if gap.difference > 0:
        return _("%(pct)s higher than everyone's") % {"pct": pct}
    return _("%(pct)s lower than everyone's") % {"pct": pct}


GAP_SIDE_TEXT = {
    True: gettext_lazy("Worse off"),
    False: gettext_lazy("Better off"),
    None: gettext_lazy("Neither (no better direction)"),
}


def gap_note_text(gap: Gap) -> str:
    """A starting text for a pinned gap: the numbers, the year and how sure they are."""
    return _(
        "%(metric)s, %(year)s: %(group)s (%(breakdown)s) %(value)s, everyone %(whole)s. %(overlap)s"
    ) % {
        "metric": gap.metric.label,
        "year": gap.year,
        "group": gap.group,
        "breakdown": gap.breakdown,
        "value": gap.value_text,
        "whole": gap.whole_text,
        "overlap": gap_overlap_text(gap),
    }

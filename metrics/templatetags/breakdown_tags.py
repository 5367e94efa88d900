"""Why a metric's page lacks a breakdown: the notices of the "By group" section.

A tag rather than a view variable, so that every page showing breakdowns words their
absence the same way (``metrics.profiles.selectors.missing_breakdowns`` decides).
"""

from django import template

from metrics.models import Geography, Metric
from metrics.profiles import selectors
from metrics.profiles.selectors import MissingBreakdowns

register = template.Library()


@register.simple_tag
def missing_breakdowns(
    metric: Metric, geography: Geography, breakdowns: list[dict], include_weak: bool
) -> MissingBreakdowns:
    """``breakdowns``: the page's breakdowns with values, each with its ``kind`` and
    ``groups`` (the subgroups' series)."""
    shown = {b["kind"]: b["groups"] for b in breakdowns}
    return selectors.missing_breakdowns(geography, metric, shown, include_weak=bool(include_weak))

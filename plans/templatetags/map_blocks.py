"""Template helpers for the plan's blocks (``plans.map.blocks``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from metrics.charts.base import Chart
from plans.map import charting

register = template.Library()


@register.simple_tag
def draw_chart(block: Mapping[str, Any]) -> Chart:
    """The SVG, summary and data table of a chart block."""
    return charting.draw(block["spec"])


@register.filter
def heading_level(level: int, offset: int) -> int:
    """A block heading's HTML level: its level in the document plus the page's offset (a web
    page's section titles are h2, the PDF's h1), never beyond h6."""
    return min(6, int(level) + int(offset or 0))


@register.filter
def block_template(block: Mapping[str, Any]) -> str:
    return f"plans/map/blocks/{block['type']}.html"


@register.filter
def nth(values: Any, index: int) -> Any:
    """``values[index]``, or ``None`` past the end (a table's per-column flags)."""
    try:
        return values[int(index)]
    except (IndexError, TypeError, ValueError):
        return None

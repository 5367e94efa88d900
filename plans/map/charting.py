"""Draw the chart blocks of a plan document (``blocks.chart``) as SVG with summary and table.

A chart block keeps only data (its ``spec``); drawing happens when the document is shown, so a
frozen version's charts are redrawn from the numbers it froze. A spec has a ``kind``:

- ``"trend"``: a metric's series (``points``) for the coalition's place;
- ``"gap"``: a subgroup's series (``points``) against everyone's (``whole_points``), with an
  optional gap ``target`` (``year``, ``value``);
- ``"goal"``: a headline goal's series (``points``), the median it is compared with
  (``benchmark``: {year: value}, ``benchmark_label``) and its ``target`` (``baseline_year``,
  ``baseline``, ``year``, ``value``), drawn as a path from the baseline to the target.

Each spec also carries the metric's ``label``, ``unit`` and ``direction`` and an ``id`` unique
in its document. ``DRAWERS`` maps a kind to its function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from metrics.charts import gap_chart, trend_chart
from metrics.charts.base import Chart
from metrics.charts.formatting import display_unit
from metrics.profiles.reading import chart_direction, chart_unit, subgroup_name_text
from plans.map import metric_data


def _trend(spec: Mapping[str, Any], chart_id: str) -> Chart:
    return trend_chart(
        spec["points"],
        title=spec["label"],
        unit=display_unit(spec.get("unit") or "number"),
        direction=spec.get("direction") or None,
        missing_reasons=metric_data.missing_reasons(spec.get("variable", "")),
        chart_id=chart_id,
        width=620,
    )


def _gap(spec: Mapping[str, Any], chart_id: str) -> Chart:
    return gap_chart(
        spec["points"],
        spec["whole_points"],
        title=spec["label"],
        unit=chart_unit(spec.get("unit") or "number"),
        subgroup_label=subgroup_name_text(spec["group"]),
        whole_label=_("All"),
        direction=chart_direction(spec.get("direction") or ""),
        chart_id=chart_id,
        target=spec.get("target"),
    )


def _goal(spec: Mapping[str, Any], chart_id: str) -> Chart:
    """A headline goal: its series, the median it is compared with, the path to the target."""
    return trend_chart(
        spec["points"],
        title=spec["label"],
        unit=display_unit(spec.get("unit") or "number"),
        direction=chart_direction(spec.get("direction") or ""),
        benchmark={int(y): v for y, v in (spec.get("benchmark") or {}).items()} or None,
        benchmark_label=spec.get("benchmark_label") or None,
        missing_reasons=metric_data.missing_reasons(spec.get("variable", "")),
        chart_id=chart_id,
        width=620,
        target=spec["target"],
    )


DRAWERS: dict[str, Callable[[Mapping[str, Any], str], Chart]] = {
    "trend": _trend,
    "gap": _gap,
    "goal": _goal,
}


def draw(spec: Mapping[str, Any], chart_id: str = "") -> Chart:
    return DRAWERS[spec.get("kind") or "trend"](spec, chart_id or str(spec.get("id") or "chart"))


def document_charts(document: Mapping[str, Any]) -> list[Chart]:
    """Every chart of a document, drawn, in reading order (for tests and the Word export)."""
    return [
        draw(block["spec"])
        for section in document.get("sections", [])
        for block in section.get("blocks", [])
        if block.get("type") == "chart"
    ]

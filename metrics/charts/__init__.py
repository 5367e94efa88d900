"""Server-side SVG charts for metric pages and the PDF plan, standard library only.

Each chart function returns a :class:`Chart` with ``svg`` (self-contained markup, no script,
no external resources), ``summary`` (plain sentences for screen readers, also in the SVG's
``<desc>``) and ``table`` (formatted strings for a data table under the chart).
"""

from metrics.charts.base import Chart, Point, Row, Table
from metrics.charts.compare import dot_plot, peer_chart
from metrics.charts.formatting import format_delta, format_value
from metrics.charts.trend import gap_chart, trend_chart

__all__ = [
    "Chart",
    "Point",
    "Row",
    "Table",
    "dot_plot",
    "format_delta",
    "format_value",
    "gap_chart",
    "peer_chart",
    "trend_chart",
]

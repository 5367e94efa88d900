"""Server-side SVG charts for metric pages and the PDF plan, standard library only.

Each chart function returns a :class:`Chart` with ``svg`` (self-contained markup, no script,
no external resources), ``summary`` (plain sentences for screen readers, also in the SVG's
``<desc>``) and ``table`` (formatted strings for a data table under the chart).

    chart = trend_chart(points, title="Median household income", unit="dollars",
                        direction="higher", benchmark={2022: 58000, 2023: 60000})

and in a template (the same partial serves the page and the PDF)::

    <figure>
      {{ chart.svg|safe }}   {# built with every text escaped; Django str()s objects, so use .svg #}
      <figcaption>{{ chart.summary }}</figcaption>
    </figure>
    <table><caption>{{ chart.table.caption }}</caption> ... chart.table.headers / rows ...

Units: share, dollars, per_100k, per_10k, ratio, index, count, number. Directions: higher,
lower, parity (closer to 1) or None. Quality: Strong, Marginal, Weak (or 1, 2, 3).
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

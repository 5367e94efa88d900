"""Drawing of year-by-year charts, shared by the trend chart and the gap chart."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from metrics.charts.base import (
    BAND_EDGE,
    BAND_FILL,
    BENCHMARK,
    GRID,
    HOME,
    MUTED,
    SERIES,
    SMALL,
    WEAK,
    Legend,
    Point,
    Scale,
    document,
    el,
    heading,
    line,
    marker,
    must,
    num,
    polyline_path,
    quality_legend_label,
    quality_marker,
    text,
    text_width,
    to_number,
    value_domain,
)
from metrics.charts.formatting import axis_note, format_ticks, nice_ticks
from metrics.i18n import gettext as _
from metrics.quality import FLAG_WORDS, quality_label


@dataclass(frozen=True)
class GoalMark:
    """A goal drawn on a year chart: a dotted path from where it starts to its target."""

    start_year: int
    start_value: float
    year: int
    value: float
    label: str  # written by the target ("Target 2030: 75.0%")
    legend: str  # the legend's words for the path


@dataclass
class LineSpec:
    """Everything the drawing needs; built by trend_chart and gap_chart."""

    kind: str
    title: str
    subtitle: str
    summary: str
    unit: str
    points: list[Point]
    label: Callable[[float], str]
    benchmark: dict[int, float] = field(default_factory=dict)
    benchmark_label: str = ""
    breaks: frozenset[int] = frozenset()
    delta: bool = False
    zero_label: str = ""
    width: float = 600
    plot_height: float = 220
    uid: str | None = None
    goal: GoalMark | None = None


def segments(points: list[Point], breaks: frozenset[int], present) -> list[list[Point]]:
    """Runs of consecutive points where ``present(point)`` holds and no break intervenes."""
    runs: list[list[Point]] = []
    current: list[Point] = []
    for point in points:
        broken = current and any(current[-1].year < b <= point.year for b in breaks)
        if not present(point) or broken:
            if current:
                runs.append(current)
            current = []
        if present(point):
            current.append(point)
    if current:
        runs.append(current)
    return runs


def draw(spec: LineSpec) -> str:
    width = spec.width
    values = _domain_values(spec)
    ticks = nice_ticks(*value_domain(values))
    tick_labels = format_ticks(ticks, spec.unit, delta=spec.delta)
    body, top = heading(spec.title, spec.subtitle, width, axis_note(ticks, tick_labels))
    legend = _legend(spec)
    left = 16 + max(text_width(t, SMALL) for t in tick_labels)
    right = width - 24
    plot_top, plot_bottom = top + 18, top + 18 + spec.plot_height
    years = [p.year for p in spec.points]
    if spec.goal is not None:
        years = sorted({*years, spec.goal.start_year, spec.goal.year})
    xs = Scale(min(years) - 0.5, max(years) + 0.5, left, right)
    ys = Scale(ticks[0], ticks[-1], plot_bottom, plot_top)

    body += _y_axis(ticks, tick_labels, ys, left, right)
    body += _x_axis(years, xs, plot_bottom, left, right)
    if spec.delta or ticks[0] < 0 < ticks[-1]:
        body += _zero_line(spec, ys, left, right)
    body += _breaks(spec, xs, plot_top, plot_bottom)
    body += _band(spec, xs, ys)
    body += _benchmark(spec, xs, ys, left)
    body += _goal(spec, xs, ys, plot_top, left, right)
    body += _series(spec, xs, ys, plot_top, plot_bottom, left, right)
    legend_items, legend_height = legend.render(10, plot_bottom + 50)
    body += legend_items
    height = plot_bottom + 50 + legend_height + 4
    return document(
        kind=spec.kind,
        width=width,
        height=height,
        title=spec.title,
        summary=spec.summary,
        body=body,
        uid=spec.uid,
    )


def _domain_values(spec: LineSpec) -> list[float]:
    values: list[float] = []
    for p in spec.points:
        values += [v for v in (p.value, p.lb, p.ub) if v is not None]
    values += list(spec.benchmark.values())
    if spec.goal is not None:
        values += [spec.goal.start_value, spec.goal.value]
    if spec.delta:
        values.append(0.0)
    return values


def _legend(spec: LineSpec) -> Legend:
    legend = Legend(spec.width)
    qualities = {p.quality for p in spec.points if p.value is not None}
    for quality in (*FLAG_WORDS.values(), None):
        if quality in qualities:
            legend.add(f"quality:{quality or ''}", quality_legend_label(quality))
    if any(p.has_bounds for p in spec.points):
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        legend.add("band", _("95% confidence interval"))
    if spec.benchmark:
        legend.add("benchmark", spec.benchmark_label)
    if spec.goal is not None:
        legend.add("target", spec.goal.legend)
    return legend


def _goal(spec: LineSpec, xs: Scale, ys: Scale, top: float, left: float, right: float) -> list[str]:
    """The path from the baseline to the target, the target's diamond and its words."""
    goal = spec.goal
    if goal is None:
        return []
    x0, y0 = xs(goal.start_year), ys(goal.start_value)
    x1, y1 = xs(goal.year), ys(goal.value)
    attrs = {"stroke": HOME, "stroke_width": 2, "stroke_dasharray": "3 3", "fill": "none"}
    out = ['<g class="goal">']
    out.append(line(x0, y0, x1, y1, class_="goal-path", **attrs))
    out.append(marker("diamond", x1, y1, colour=HOME, size=6))
    label_y = y1 - 14 if y1 - 14 > top - 8 else y1 + 24
    half = text_width(goal.label, SMALL, True) / 2
    x = min(max(x1, left + half), right + 20 - half)
    out.append(
        text(
            x,
            label_y,
            goal.label,
            font_size=SMALL,
            fill=HOME,
            text_anchor="middle",
            font_weight="bold",
            class_="goal-label",
        )
    )
    out.append("</g>")
    return out


def _y_axis(ticks, labels, ys: Scale, left: float, right: float) -> list[str]:
    out = []
    for tick, label in zip(ticks, labels, strict=True):
        y = ys(tick)
        out.append(line(left, y, right, y, stroke=GRID, stroke_width=1))
        out.append(text(left - 8, y + 4, label, font_size=SMALL, fill=MUTED, text_anchor="end"))
    return out


def _x_axis(years: list[int], xs: Scale, bottom: float, left: float, right: float) -> list[str]:
    out = [line(left, bottom, right, bottom, stroke=MUTED, stroke_width=1)]
    first, last = min(years), max(years)
    shown = list(range(first, last + 1)) if last - first <= 12 else sorted(set(years))
    slot = (right - left) / max(len(shown), 1)
    step = 1 if slot >= 40 else 2 if slot >= 20 else 4
    for i, year in enumerate(shown):
        x = xs(year)
        out.append(line(x, bottom, x, bottom + 5, stroke=MUTED, stroke_width=1))
        if (len(shown) - 1 - i) % step == 0:  # count back from the latest year, always shown
            out.append(text(x, bottom + 20, str(year), font_size=SMALL, text_anchor="middle"))
    return out


def _zero_line(spec: LineSpec, ys: Scale, left: float, right: float) -> list[str]:
    y = ys(0.0)
    out = [line(left, y, right, y, stroke=MUTED, stroke_width=1.5, class_="zero")]
    if spec.zero_label:
        out.append(text(left + 4, y - 5, spec.zero_label, font_size=SMALL, fill=MUTED))
    return out


def _breaks(spec: LineSpec, xs: Scale, top: float, bottom: float) -> list[str]:
    years = [p.year for p in spec.points]
    out = []
    for year in sorted(spec.breaks):
        if not min(years) < year <= max(years):
            continue
        x = xs(year - 0.5)
        out.append(line(x, top, x, bottom, stroke=MUTED, stroke_dasharray="2 3", class_="break"))
        out.append(
            text(x, top - 4, _("Series break"), font_size=SMALL, fill=MUTED, text_anchor="middle")
        )
    return out


def _band(spec: LineSpec, xs: Scale, ys: Scale) -> list[str]:
    out = []
    for run in segments(spec.points, spec.breaks, lambda p: p.has_bounds):
        if len(run) == 1:
            out.append(_whisker(xs(run[0].year), ys(must(run[0].lb)), ys(must(run[0].ub))))
            continue
        upper = [(xs(p.year), ys(must(p.ub))) for p in run]
        lower = [(xs(p.year), ys(must(p.lb))) for p in run]
        outline = " ".join(f"{num(x)},{num(y)}" for x, y in upper + lower[::-1])
        out.append(el("polygon", points=outline, fill=BAND_FILL, class_="band"))
        for edge in (upper, lower):
            out.append(
                el("path", d=polyline_path(edge), fill="none", stroke=BAND_EDGE, stroke_width=1)
            )
    return out


def _whisker(x: float, y_low: float, y_high: float) -> str:
    """An interval for a lone year, where a band would have no width."""
    style = {"stroke": BAND_EDGE, "stroke_width": 2}
    return (
        '<g class="interval">'
        + line(x, y_low, x, y_high, **style)
        + line(x - 5, y_low, x + 5, y_low, **style)
        + line(x - 5, y_high, x + 5, y_high, **style)
        + "</g>"
    )


def _benchmark(spec: LineSpec, xs: Scale, ys: Scale, left: float) -> list[str]:
    if not spec.benchmark:
        return []
    aligned = [Point(p.year, spec.benchmark.get(p.year)) for p in spec.points]
    attrs = {"stroke": BENCHMARK, "stroke_width": 2, "stroke_dasharray": "7 5", "fill": "none"}
    out = []
    for run in segments(aligned, frozenset(), lambda p: p.value is not None):
        pts = [(xs(p.year), ys(must(p.value))) for p in run]
        if len(pts) == 1:
            x, y = pts[0]
            out.append(line(x - 18, y, x + 18, y, class_="benchmark", **attrs))
        else:
            out.append(el("path", d=polyline_path(pts), class_="benchmark", **attrs))
    return out + [_benchmark_label(spec, xs, ys, left)]


def _benchmark_label(spec: LineSpec, xs: Scale, ys: Scale, left: float) -> str:
    """Label the dashed line at whichever end leaves most room between it and the data."""
    values = {p.year: p.value for p in spec.points}
    ends = sorted(spec.benchmark.items())
    best: tuple[float, int, float, str, bool] | None = None
    for index, anchor in ((0, "start"), (-1, "end")):
        year, bench = ends[index]
        own = values.get(year)
        room = abs(ys(own) - ys(bench)) if own is not None else 1e9
        above = own is None or own < bench
        if best is None or room > best[0]:
            best = (room, year, bench, anchor, above)
    assert best is not None  # ends has at least one item
    _, year, bench, anchor, above = best
    x = max(xs(year) + (-8 if anchor == "start" else 8), left + 2)
    width = text_width(spec.benchmark_label, SMALL)
    span = (x, x + width) if anchor == "start" else (x - width, x)
    line_points = [(xs(y), ys(v)) for y, v in ends]
    low, high = _y_extent(line_points, *span)
    # clear the dashed line along the whole label, not only at the end where it starts
    y = low - 6 if above else high + 15
    return text(
        x, y, spec.benchmark_label, font_size=SMALL, text_anchor=anchor, class_="benchmark-label"
    )


def _y_extent(points: list[tuple[float, float]], x0: float, x1: float) -> tuple[float, float]:
    """Smallest and largest y of a polyline between x0 and x1 (flat beyond its ends)."""

    def y_at(x: float) -> float:
        if x <= points[0][0]:
            return points[0][1]
        for (xa, ya), (xb, yb) in itertools.pairwise(points):
            if xa <= x <= xb:
                return ya if xb == xa else ya + (yb - ya) * (x - xa) / (xb - xa)
        return points[-1][1]

    ys = [y_at(x0), y_at(x1)] + [y for x, y in points if x0 <= x <= x1]
    return min(ys), max(ys)


def _series(spec: LineSpec, xs: Scale, ys: Scale, top, bottom, left, right) -> list[str]:
    out = []
    for run in segments(spec.points, spec.breaks, lambda p: p.value is not None):
        if len(run) > 1:
            path = polyline_path([(xs(p.year), ys(must(p.value))) for p in run])
            out.append(
                el("path", d=path, fill="none", stroke=SERIES, stroke_width=2.5, class_="line")
            )
    valued = [p for p in spec.points if p.value is not None]
    for i, p in enumerate(valued):
        x, y = xs(p.year), ys(must(p.value))
        css = "point" + (f" {p.quality.lower()}" if p.quality else " unrated")
        out.append(f'<g class="{css}">{quality_marker(p.quality, x, y)}')
        value_above = _label_above(valued, i)
        above_y, below_y = y - 13, y + 22
        if above_y < top - 12:
            value_above = False
        elif below_y > bottom - 4:
            value_above = True
        if i in (0, len(valued) - 1):
            label = spec.label(must(p.value))
            label_y = above_y if value_above else below_y
            out.append(_clamped_label(label, x, label_y, left, right))
        if p.quality == "Weak":
            weak_y = below_y if value_above else above_y
            if weak_y > bottom - 4 or weak_y < top - 12:
                weak_y = above_y if weak_y > bottom - 4 else below_y
            out.append(
                _clamped_label(
                    quality_label(p.quality), x, weak_y, left, right, fill=WEAK, bold=True
                )
            )
        out.append("</g>")
    return out


def _label_above(valued: list[Point], i: int) -> bool:
    """Put an end label on the side the line does not leave from."""
    here = must(valued[i].value)
    if len(valued) == 1:
        return True
    neighbour = must(valued[1].value if i == 0 else valued[i - 1].value)
    return neighbour <= here


def _clamped_label(content, x, y, left, right, *, fill=None, bold=False) -> str:
    half = text_width(content, SMALL, bold) / 2
    x = min(max(x, left + half), right - half + 20)
    extra = {"font_weight": "bold"} if bold else {}
    if fill:
        extra["fill"] = fill
    return text(x, y, content, font_size=SMALL, text_anchor="middle", **extra)


def benchmark_by_year(benchmark: object, years: Iterable[int]) -> dict[int, float]:
    """A benchmark may be one number (for every year), {year: value} or a list of points."""
    if benchmark is None:
        return {}
    constant = to_number(benchmark)
    if constant is not None:
        return dict.fromkeys(years, constant)
    if isinstance(benchmark, Mapping):
        pairs = [(int(y), to_number(v)) for y, v in benchmark.items()]
    elif isinstance(benchmark, Iterable):
        pairs = [(p.year, p.value) for p in map(Point.coerce, benchmark)]
    else:
        raise TypeError(f"benchmark must be a number, a mapping or points, not {benchmark!r}")
    wanted = set(years)
    return {y: v for y, v in sorted(pairs) if y in wanted and v is not None}

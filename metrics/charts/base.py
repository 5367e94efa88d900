"""Shared pieces of the charts: input records, the result object, colours and SVG helpers.

Charts are plain SVG with presentation attributes only (no CSS, no script, no fonts to
fetch), so the same markup renders in a browser and in WeasyPrint.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from metrics.charts.formatting import as_float
from metrics.i18n import gettext as _
from metrics.quality import FLAG_WORDS, quality_code, quality_meaning

# --- Colours ---------------------------------------------------------------------------
# Every colour that carries text must reach 4.5:1 against white and every colour that draws
# data 3:1 (WCAG 2.x AA); tests/metrics/test_charts.py checks this table. GRID and BAND_FILL
# are decoration: the interval band also has edges drawn in BAND_EDGE.
INK = "#1a1a1a"
MUTED = "#555555"
SERIES = "#1d4f91"
BAND_EDGE = "#6a87b8"
BAND_FILL = "#dce6f4"
BENCHMARK = "#555555"
HOME = "#a2430b"
WEAK = "#9b1c31"
GRID = "#e3e3e3"
WHITE = "#ffffff"

TEXT_COLOURS = {"ink": INK, "muted": MUTED, "series": SERIES, "home": HOME, "weak": WEAK}
GRAPHIC_COLOURS = {
    "series": SERIES,
    "band edge": BAND_EDGE,
    "benchmark": BENCHMARK,
    "home": HOME,
    "weak": WEAK,
    "axis": MUTED,
}

FONT = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"
FONT_SIZE = 14
SMALL = 12

# --- Inputs ----------------------------------------------------------------------------
DIRECTIONS: dict[str | None, str | None] = {
    "higher": "higher",
    "h": "higher",
    "lower": "lower",
    "l": "lower",
    "parity": "parity",
    "p": "parity",
    "none": None,
    "": None,
    None: None,
}


def normalise_direction(direction: str | None) -> str | None:
    key = direction.strip().lower() if isinstance(direction, str) else direction
    if key not in DIRECTIONS:
        raise ValueError(f"Unknown direction {direction!r}; use 'higher', 'lower', 'parity'")
    return DIRECTIONS[key]


def normalise_quality(quality: object) -> str | None:
    """Urban flags come as words (2025 combined files) or 1/2/3 (older and per-metric files)."""
    code = quality_code(quality)
    return FLAG_WORDS[code] if code is not None else None


def must(value: float | None) -> float:
    """A number the caller has already checked is present (this also narrows the type)."""
    if value is None:
        raise ValueError("a value was required here")
    return value


def _get(item: object, *names: str) -> object:
    for name in names:
        if isinstance(item, Mapping):
            if name in item:
                return item[name]
        elif hasattr(item, name):
            return getattr(item, name)
    return None


def to_number(value: object) -> float | None:
    """A finite float from a number or numeric text; anything else is missing."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    return as_float(value)


@dataclass(frozen=True)
class Point:
    """One year of a metric. ``text`` keeps a text ratio ("0.119:0.246") that has no value."""

    year: int
    value: float | None = None
    lb: float | None = None
    ub: float | None = None
    quality: str | None = None
    text: str | None = None

    @classmethod
    def coerce(cls, item: object) -> Point:
        if isinstance(item, Point):
            return item
        raw = _get(item, "value")
        text = raw.strip() if isinstance(raw, str) and ":" in raw else None
        return cls(
            year=int(_get(item, "year")),  # type: ignore[call-overload]
            value=to_number(raw),
            lb=to_number(_get(item, "lb", "lower")),
            ub=to_number(_get(item, "ub", "upper")),
            quality=normalise_quality(_get(item, "quality")),
            text=text,
        )

    @property
    def has_bounds(self) -> bool:
        return self.lb is not None and self.ub is not None


def missing_years(points: list[Point]) -> tuple[list[Point], list[int]]:
    """The points with an empty one for each year missing inside the series, and those years.

    A series' step is its most common gap between years (1 for yearly data, 2 for data
    every other year); a longer gap means years are missing (2020 for survey-based metrics),
    and the line must not join across them as if the values between were known. A series
    without a step that recurs (2014, 2018, 2023) is drawn as published.
    """
    years = [p.year for p in points]
    pairs = list(zip(years, years[1:], strict=False))
    steps = Counter(b - a for a, b in pairs).most_common(2)
    regular = steps and steps[0][1] > 1 and (len(steps) == 1 or steps[1][1] < steps[0][1])
    step = steps[0][0] if regular else None
    added = [Point(year) for a, b in pairs if step and b - a > step for year in range(a + 1, b)]
    filled = sorted([*points, *added], key=lambda p: p.year)
    shown = [p.year for p in filled if p.value is not None or p.has_bounds]
    if not shown:
        return filled, []
    empty = [
        p.year
        for p in filled
        if shown[0] < p.year < shown[-1]
        and p.value is None
        and not p.has_bounds
        and not p.text
        and p.quality is None
    ]
    return filled, empty


@dataclass(frozen=True)
class Row:
    """One line of a dot plot or peer chart: a subgroup or a jurisdiction."""

    label: str
    value: float | None = None
    lb: float | None = None
    ub: float | None = None
    quality: str | None = None
    home: bool = False

    @classmethod
    def coerce(cls, item: object) -> Row:
        if isinstance(item, Row):
            return item
        return cls(
            label=str(_get(item, "label", "name", "subgroup") or ""),
            value=to_number(_get(item, "value")),
            lb=to_number(_get(item, "lb", "lower")),
            ub=to_number(_get(item, "ub", "upper")),
            quality=normalise_quality(_get(item, "quality")),
            home=bool(_get(item, "home", "is_home")),
        )

    @property
    def has_bounds(self) -> bool:
        return self.lb is not None and self.ub is not None


# --- Output ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """The chart's data as formatted strings, for a <table> under the chart."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    """What every chart function returns. ``svg`` is "" when there was nothing to draw."""

    svg: str
    summary: str
    table: Table
    title: str = ""

    @property
    def has_chart(self) -> bool:
        return bool(self.svg)

    def __html__(self) -> str:
        # Django templates treat the markup as safe: every text inside was escaped on build.
        return self.svg

    def __str__(self) -> str:
        return self.svg


def empty_chart(title: str, headers: Iterable[str]) -> Chart:
    summary = _("There is no data for {title}.").format(title=title)
    return Chart(svg="", summary=summary, table=Table(tuple(headers), (), title), title=title)


# --- SVG helpers -----------------------------------------------------------------------
def num(value: float) -> str:
    """Coordinates with at most two decimals keep the markup short and stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attrs(**kwargs: object) -> str:
    parts = []
    for key, value in kwargs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f" {name}={quoteattr(text)}")
    return "".join(parts)


def el(tag: str, /, **kwargs: object) -> str:
    return f"<{tag}{attrs(**kwargs)}/>"


def text(x: float, y: float, content: str, **kwargs: object) -> str:
    kwargs.setdefault("fill", INK)
    return f"<text{attrs(x=float(x), y=float(y), **kwargs)}>{escape(content)}</text>"


def text_width(content: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """A generous estimate (DejaVu Sans is wide); layout only needs to avoid clipping."""
    return len(content) * size * (0.64 if bold else 0.6)


def wrap(content: str, width: float, size: float = FONT_SIZE, max_lines: int = 2) -> list[str]:
    words, lines, line = content.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
    last = lines[-1]
    limit = max(int(width / (size * 0.6)), 4)
    if len(last) > limit:
        lines[-1] = last[: limit - 1].rstrip() + "\u2026"
    return lines


def polyline_path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{num(head[0])},{num(head[1])}" + "".join(f"L{num(x)},{num(y)}" for x, y in rest)


def marker(shape: str, x: float, y: float, *, colour: str, hollow: bool = False, size=5.5):
    """Point shapes; a hollow shape always means a Weak value."""
    fill = WHITE if hollow else colour
    common = {"fill": fill, "stroke": colour, "stroke_width": 2 if hollow else 1}
    if shape == "square":
        s = size * 0.9
        return el("rect", x=x - s, y=y - s, width=2 * s, height=2 * s, **common)
    if shape == "diamond":
        s = size * 1.35
        pts = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
        return el("polygon", points=" ".join(f"{num(a)},{num(b)}" for a, b in pts), **common)
    if shape == "triangle":
        s = size * 1.2
        pts = [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)]
        return el("polygon", points=" ".join(f"{num(a)},{num(b)}" for a, b in pts), **common)
    return el("circle", cx=x, cy=y, r=size, **common)


QUALITY_SHAPES = {"Strong": "circle", "Marginal": "square", "Weak": "circle", None: "triangle"}


def quality_marker(quality: str | None, x: float, y: float, colour: str = SERIES) -> str:
    weak = quality == "Weak"
    return marker(QUALITY_SHAPES[quality], x, y, colour=WEAK if weak else colour, hollow=weak)


def quality_legend_label(quality: str | None) -> str:
    return quality_meaning(quality)


@dataclass
class Legend:
    """Legend items laid out left to right, wrapping; each is a small drawing plus words."""

    width: float
    items: list[tuple[str, str]] = field(default_factory=list)  # (swatch kind, label)

    def add(self, kind: str, label: str) -> None:
        if (kind, label) not in self.items:
            self.items.append((kind, label))

    def render(self, x0: float, y0: float) -> tuple[list[str], float]:
        out, x, y = [], x0, y0
        for kind, label in self.items:
            item_width = 30 + text_width(label, SMALL) + 18
            if x > x0 and x + item_width > self.width - 10:
                x, y = x0, y + 22
            out.append(swatch(kind, x + 10, y))
            out.append(text(x + 26, y + 4, label, font_size=SMALL))
            x += item_width
        return out, (y - y0 + 22) if self.items else 0


def swatch(kind: str, x: float, y: float) -> str:
    if kind.startswith("quality:"):
        quality = kind.split(":", 1)[1] or None
        return quality_marker(quality, x, y)
    if kind == "band":
        return el("rect", x=x - 10, y=y - 6, width=20, height=12, fill=BAND_FILL, stroke=BAND_EDGE)
    if kind == "benchmark":
        return line(x - 12, y, x + 12, y, stroke=BENCHMARK, stroke_width=2, stroke_dasharray="6 4")
    if kind == "home":
        return marker("diamond", x, y, colour=HOME)
    if kind == "peer":
        return marker("circle", x, y, colour=SERIES)
    if kind == "weak":
        return marker("circle", x, y, colour=WEAK, hollow=True)
    if kind == "target":
        return line(
            x - 12, y, x + 4, y, stroke=HOME, stroke_width=2, stroke_dasharray="3 3"
        ) + marker("diamond", x + 6, y, colour=HOME, size=4.5)
    if kind == "interval":
        return line(x - 12, y, x + 12, y, stroke=BAND_EDGE, stroke_width=2)
    raise ValueError(kind)


def line(x1: float, y1: float, x2: float, y2: float, **kwargs: object) -> str:
    return el("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **kwargs)


@dataclass(frozen=True)
class Scale:
    """Linear map from data values to SVG coordinates."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def value_domain(values: Iterable[float]) -> tuple[float, float]:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    low, high = min(finite), max(finite)
    if low == high:
        pad = abs(low) * 0.1 or 0.01
        return low - pad, high + pad
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    # don't let padding push a non-negative metric below zero
    if min(finite) >= 0 > low:
        low = 0.0
    return low, high


def chart_id(kind: str, title: str, summary: str) -> str:
    """Stable ids (same data, same markup) that differ between charts on one page."""
    digest = hashlib.sha1(f"{kind}|{title}|{summary}".encode(), usedforsecurity=False)
    return f"chart-{kind}-{digest.hexdigest()[:10]}"


def document(
    *, kind: str, width: float, height: float, title: str, summary: str, body: list[str], uid=None
) -> str:
    uid = uid or chart_id(kind, title, summary)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}"'
        f' width="100%" role="img" aria-labelledby="{uid}-title {uid}-desc"'
        f' font-family={quoteattr(FONT)} font-size="{FONT_SIZE}"'
        f" class={quoteattr('chart ' + kind)}>"
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(summary)}</desc>'
        f"{el('rect', x=0, y=0, width=float(width), height=float(height), fill=WHITE)}"
    )
    return head + "".join(body) + "</svg>"


def heading(title: str, subtitle: str, width: float, note: str = "") -> tuple[list[str], float]:
    """The visible title (bold), a muted subtitle such as the unit and an axis note such as
    "axis starts at 40%, not at zero"; returns the height."""
    out, y = [], 22.0
    for piece in wrap(title, width - 20, 16, max_lines=2):
        out.append(text(10, y, piece, font_size=16, font_weight="bold"))
        y += 20
    for line_text, css in ((subtitle, "subtitle"), (note, "axis-note")):
        if line_text:
            out.append(text(10, y, line_text, font_size=SMALL, fill=MUTED, class_=css))
            y += 16
    return out, y + 6

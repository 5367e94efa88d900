"""Numbers as people read them: one formatter for charts, tables, summaries and pages."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from decimal import Decimal

from metrics.i18n import gettext as _

MINUS = "\u2212"  # a real minus sign: screen readers say "minus", not "dash"

_ALIASES = {
    "percent": "share",
    "proportion": "share",
    "dollar": "dollars",
    "usd": "dollars",
    "per100k": "per_100k",
    "rate_per_100k": "per_100k",
    "per10k": "per_10k",
    "rate_per_10k": "per_10k",
}
UNITS = frozenset({"share", "dollars", "per_100k", "per_10k", "ratio", "index", "count", "number"})


def normalise_unit(unit: str) -> str:
    key = (unit or "number").strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in UNITS:
        raise ValueError(f"Unknown unit {unit!r}; expected one of {sorted(UNITS)}")
    return key


def no_data() -> str:
    return _("No data")


def as_float(value: object) -> float | None:
    """A finite float from any real number (float, int, Decimal, numpy scalar), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def is_number(value: object) -> bool:
    return as_float(value) is not None


def _grouped(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    return (MINUS if value < 0 and float(text.replace(",", "")) != 0 else "") + text


def _trimmed(value: float, decimals: int) -> str:
    text = _grouped(value, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _compact(value: float) -> str | None:
    """1.2M, 150k: for axis ticks where the full number would not fit."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size and abs(value) >= 10_000:
            return _trimmed(value / size, 1) + suffix
    return None


def format_value(value: object, unit: str, *, short: bool = False) -> str:
    """Format one metric value for a person.

    ``short`` drops the unit words ("312" instead of "312 per 100,000") for axis ticks and
    table cells whose header already names the unit. A text ratio such as ``"0.119:0.246"``
    (the Urban house-value ratios) is formatted part by part. ``None`` or NaN reads "No data".
    """
    unit = normalise_unit(unit)
    if isinstance(value, str):
        return _format_text_ratio(value, unit)
    v = as_float(value)
    if v is None:
        return no_data()
    if unit == "share":
        return _grouped(v * 100, 1) + "%"
    if unit == "dollars":
        compact = _compact(v) if short else None
        digits = compact.lstrip(MINUS) if compact else _grouped(abs(v), 0)
        return (MINUS if v < 0 else "") + "$" + digits
    if unit in ("per_100k", "per_10k"):
        number = (_compact(v) if short else None) or _grouped(v, 0 if abs(v) >= 100 else 1)
        if short:
            return number
        return number + " " + (_("per 100,000") if unit == "per_100k" else _("per 10,000"))
    if unit == "ratio":
        return _grouped(v, 2)
    if unit == "count":
        return (_compact(v) if short else None) or _grouped(v, 0)
    if unit == "index":
        return _trimmed(v, 1)
    return (_compact(v) if short else None) or _trimmed(v, 2)


def label_value(value: object, unit: str) -> str:
    """A value written on the chart: unit words dropped, but dollars in full ("$61,000")."""
    unit = normalise_unit(unit)
    return format_value(value, unit, short=unit != "dollars")


def _format_text_ratio(text: str, unit: str) -> str:
    parts = [p.strip() for p in text.split(":")]
    if len(parts) < 2 or not all(parts):
        return text.strip() or no_data()
    out = []
    for part in parts:
        if part.endswith("%"):
            out.append(part)
            continue
        try:
            number = float(part)
        except ValueError:
            return text.strip()
        out.append(format_value(number, "share" if unit == "share" else "number"))
    return " : ".join(out)


def format_delta(value: object, unit: str, *, short: bool = False) -> str:
    """A signed difference: shares as percentage points, other units as themselves."""
    value = as_float(value)
    if value is None:
        return no_data()
    unit = normalise_unit(unit)
    sign = "+" if value > 0 else ""
    if unit == "share":
        points = _trimmed(value * 100, 1)
        word = _("pts") if short else _("percentage points")
        return f"{sign}{points} {word}"
    return sign + format_value(value, unit, short=short)


def format_magnitude(value: float, unit: str) -> str:
    """An unsigned size of a difference, for sentences ("8.4 percentage points")."""
    return format_delta(abs(value), unit).lstrip("+")


def unit_label(unit: str) -> str:
    """What the axis measures, shown above the value axis."""
    return {
        "share": _("Percent"),
        "dollars": _("US dollars"),
        "per_100k": _("Per 100,000 people"),
        "per_10k": _("Per 10,000 people"),
        "ratio": _("Ratio"),
        "index": _("Index"),
        "count": _("Count"),
        "number": "",
    }[normalise_unit(unit)]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5, 5 x 10^k steps)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick bounds must be finite")
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    # allow a step a little under the raw one: 0-50% in tens beats 0-60% in twenties
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.75)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    n = round((stop - start) / step)
    return [_clean(start + i * step) for i in range(n + 1)]


def _clean(value: float) -> float:
    cleaned = round(value, 10)
    return 0.0 if cleaned == 0 else cleaned


def format_ticks(ticks: Iterable[float], unit: str, *, delta: bool = False) -> list[str]:
    """Tick labels with only as many decimals as the step needs, so 5%, 10% not 5.0%."""
    ticks = list(ticks)
    unit = normalise_unit(unit)
    scale = 100 if unit == "share" else 1
    step = abs(ticks[1] - ticks[0]) * scale if len(ticks) > 1 else 1
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    labels = []
    for tick in ticks:
        if unit == "share":
            text = _grouped(tick * 100, decimals) + ("" if delta else "%")
        else:
            text = _compact(tick) or _grouped(tick, decimals)
            if unit == "dollars":
                text = text.replace(MINUS, MINUS + "$") if tick < 0 else "$" + text
        if delta and tick > 0:
            text = "+" + text
        labels.append(text)
    return labels

"""Numbers as people read them: one formatter per unit, for pages, charts, the API and the PDF.

Every unit of the metric catalog (``metrics.catalog.UNITS``) has one entry here with its
precision and its words, written in the reader's active language. English and Spanish share
the US conventions of decimal point and comma groups (``66,167.5``), as Spanish speakers in
the United States read them (CLDR ``es-US``); Spanish puts a space before the percent sign
(``39.9 %``) and says the unit words in Spanish. docs/metrics.md explains the choices.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from metrics.catalog import UNITS as CATALOG_UNITS
from metrics.i18n import gettext as _
from metrics.parsing import number_parse

MINUS = "\u2212"  # a real minus sign: screen readers say "minus", not "dash"
NBSP = "\u00a0"

_ALIASES = {
    "percent": "share",
    "proportion": "share",
    "dollar": "dollars",
    "usd": "dollars",
    "per100k": "per_100k",
    "rate_per_100k": "per_100k",
    "per10k": "per_10k",
    "rate_per_10k": "per_10k",
    "per_100": "per_100_households",
}
# The catalog's units, plus "number" for values that have none (a local dataset, a test).
UNITS = frozenset(CATALOG_UNITS | {"number"})
# Units stored as a fraction and read as so many per hundred.
HUNDREDS = frozenset({"share", "per_100_households"})


@dataclass(frozen=True)
class NumberStyle:
    decimal: str
    group: str
    percent: str  # "{n}%": where the number goes
    dollars: str  # "${n}"


NUMBER_STYLES = {
    "en": NumberStyle(decimal=".", group=",", percent="{n}%", dollars="${n}"),
    # es-US (CLDR): decimal point and comma groups as in English, a space before "%"
    "es": NumberStyle(decimal=".", group=",", percent="{n}" + NBSP + "%", dollars="${n}"),
}


def number_style() -> NumberStyle:
    """The number conventions of the active language (English outside a Django request)."""
    try:
        from django.utils.translation import get_language

        language = (get_language() or "en").split("-")[0]
    except Exception:  # noqa: BLE001 - plain Python, settings not configured
        language = "en"
    return NUMBER_STYLES.get(language, NUMBER_STYLES["en"])


def normalise_unit(unit: str) -> str:
    key = (unit or "number").strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in UNITS:
        raise ValueError(f"Unknown unit {unit!r}; expected one of {sorted(UNITS)}")
    return key


def display_unit(unit: str) -> str:
    """A catalog unit as itself; anything else (a local dataset's free-text unit) as a number."""
    try:
        return normalise_unit(unit)
    except ValueError:
        return "number"


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


def _localised(text: str) -> str:
    style = number_style()
    if (style.decimal, style.group) == (".", ","):
        return text
    return text.replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)


def _grouped(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    negative = value < 0 and float(text.replace(",", "")) != 0
    return (MINUS if negative else "") + _localised(text)


def _trimmed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _grouped(float(text), len(text.partition(".")[2]))


def _compact(value: float) -> str | None:
    """1.2M, 150k: for axis ticks where the full number would not fit."""
    for size, word in ((1e9, _("{n}B")), (1e6, _("{n}M")), (1e3, _("{n}k"))):
        if abs(value) >= size and abs(value) >= 10_000:
            return word.format(n=_trimmed(value / size, 1))
    return None


def _percent(number: str) -> str:
    return number_style().percent.format(n=number)


def _dollars(digits: str) -> str:
    """ "$1,200" or "−$1,200": the minus goes before the currency sign."""
    negative = digits.startswith(MINUS)
    text = number_style().dollars.format(n=digits.lstrip(MINUS))
    return (MINUS if negative else "") + text


def _rate(v: float) -> str:
    """Rates keep one decimal below 100 (45.3), none above (312)."""
    return _grouped(v, 0 if abs(v) >= 100 else 1)


def _unit_words(unit: str) -> str:
    """The words after a number: "{n} per 100,000"; "{n}" when the label says it all."""
    return {
        "per_100k": _("{n} per 100,000"),
        "per_10k": _("{n} per 10,000"),
        "per_100_households": _("{n} per 100 households"),
        "grade_levels": _("{n} grade levels per year"),
        "people_per_physician": _("{n} people per physician"),
        # a divided by b of a text ratio "a:b", read as Urban writes it: "0.48 : 1"
        "text_ratio": "{n} : 1",
    }.get(unit, "{n}")


def _number(v: float, unit: str, short: bool) -> str:
    """The number of one value in ``unit`` without unit words (but with % and $)."""
    if unit == "share":
        return _percent(_grouped(v * 100, 1))
    if unit == "dollars":
        return _dollars((_compact(v) if short else None) or _grouped(v, 0))
    if unit == "per_100_households":
        return _rate(v * 100)  # stored as 0.45 units per household, read as 45 per 100
    if unit in ("per_100k", "per_10k"):
        return (_compact(v) if short else None) or _rate(v)
    if unit in ("ratio", "text_ratio", "grade_levels"):
        return _grouped(v, 2)
    if unit in ("count", "people_per_physician"):
        return (_compact(v) if short else None) or _grouped(v, 0)
    if unit == "index":
        return _trimmed(v, 1)
    return (_compact(v) if short else None) or _trimmed(v, 2)


def format_value(value: object, unit: str, *, short: bool = False) -> str:
    """Format one metric value for a person, in the active language.

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
    if unit == "people_per_physician" and v == 0 and not short:
        # Urban writes 0 where a county has no primary care physician: the worst case
        return _("No primary care physician")
    number = _number(v, unit, short)
    return number if short else _unit_words(unit).format(n=number)


def format_parts(a: object, b: object, unit: str = "share") -> str:
    """Both parts of a text ratio "a:b" (two shares for the house-value ratios)."""
    return " : ".join(format_value(part, unit) for part in (a, b))


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
            out.append(_percent(_localised(part[:-1].strip())))
            continue
        try:
            number = float(part)
        except ValueError:
            return text.strip()
        part_unit = "share" if unit in ("share", "text_ratio") else "number"
        out.append(format_value(number, part_unit))
    return " : ".join(out)


def value_parse(text: str, unit: str, *, delta: bool = False) -> float:
    """A number a person typed for a value in ``unit``, stored as the catalog stores it.

    The inverse of :func:`format_value`: a share is typed in percent (``50%`` or ``50``, stored
    as 0.5; with ``delta``, in percentage points), a rate per 100 households as so many per 100,
    dollars with or without ``$`` and commas, a text ratio as ``a:b`` (stored as a divided by b)
    or as that one number. ValueError (with a sentence to show) for anything else.
    """
    unit = display_unit(unit)
    raw = (text or "").strip().replace(NBSP, " ").replace(MINUS, "-")
    if not raw:
        raise ValueError(_("Enter a number."))
    if unit == "text_ratio" and ":" in raw:
        left, _sep, right = raw.partition(":")
        a, b = _typed_number(left), _typed_number(right)
        if b == 0:
            raise ValueError(_("The second part of a ratio a:b cannot be zero."))
        return a / b
    number = _typed_number(raw)
    if unit in HUNDREDS:
        return number / 100
    return number


def _typed_number(text: str) -> float:
    cleaned = text.strip()
    for sign in ("$", "%", "pts", " "):
        cleaned = cleaned.replace(sign, "")
    try:
        return number_parse(cleaned, thousands=True)
    except ValueError:
        raise ValueError(
            _("“{text}” is not a number. Write it with digits, for example 42.5.").format(
                text=text.strip()
            )
        ) from None


def value_input_text(value: float | None, unit: str) -> str:
    """A stored value as a person would type it back into a form (the inverse of value_parse)."""
    if value is None:
        return ""
    unit = display_unit(unit)
    if unit in HUNDREDS:
        text = _plain(value * 100)
        return f"{text}%" if unit == "share" else text
    return _plain(value)


def _plain(value: float) -> str:
    text = f"{round(value, 6):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_delta(value: object, unit: str, *, short: bool = False) -> str:
    """A signed difference: shares as percentage points, other units as themselves."""
    value = as_float(value)
    if value is None:
        return no_data()
    unit = normalise_unit(unit)
    sign = "+" if value > 0 else ""
    if unit == "share":
        points = _trimmed(value * 100, 1)
        word = _("{n} pts") if short else _("{n} percentage points")
        return sign + word.format(n=points)
    if unit == "people_per_physician":
        return sign + _unit_words(unit).format(n=_number(value, unit, short))
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
        "per_100_households": _("Per 100 households"),
        "ratio": _("Ratio"),
        "text_ratio": _("Ratio (1 means parity)"),
        "index": _("Index (0 to 100)"),
        "count": _("Count"),
        "grade_levels": _("Grade levels per year"),
        "people_per_physician": _("People per primary care physician"),
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
    scale = 100 if unit in HUNDREDS else 1
    step = abs(ticks[1] - ticks[0]) * scale if len(ticks) > 1 else 1
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    labels = []
    for tick in ticks:
        if unit in HUNDREDS:
            text = _grouped(tick * 100, decimals)
            if unit == "share" and not delta:
                text = _percent(text)
        else:
            text = _compact(tick) or _grouped(tick, decimals)
            if unit == "dollars":
                text = _dollars(text)
        if delta and tick > 0:
            text = "+" + text
        labels.append(text)
    return labels


def axis_note(ticks: list[float], labels: list[str]) -> str:
    """Say so when a value axis does not reach zero, so a small change is not read as large."""
    if ticks and ticks[0] > 0:
        return _("axis starts at {value}, not at zero").format(value=labels[0])
    if ticks and ticks[-1] < 0:
        return _("axis ends at {value}, not at zero").format(value=labels[-1])
    return ""

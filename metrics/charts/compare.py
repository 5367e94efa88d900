"""Rows of dots with interval whiskers: subgroups (dot plot) and jurisdictions (peer chart)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from metrics.charts.base import (
    BAND_EDGE,
    BENCHMARK,
    GRID,
    HOME,
    INK,
    MUTED,
    SERIES,
    SMALL,
    WEAK,
    Chart,
    Legend,
    Row,
    Scale,
    Table,
    document,
    empty_chart,
    heading,
    line,
    marker,
    must,
    normalise_direction,
    quality_legend_label,
    quality_marker,
    text,
    text_width,
    value_domain,
    wrap,
)
from metrics.charts.formatting import (
    axis_note,
    format_ticks,
    format_value,
    label_value,
    nice_ticks,
    no_data,
    normalise_unit,
    unit_label,
)
from metrics.charts.trend import about_equal, better, interval_note, interval_text, quality_text
from metrics.i18n import gettext as _
from metrics.quality import FLAG_WORDS, quality_label


@dataclass(frozen=True)
class _Styled:
    row: Row
    shape: str  # "quality" draws the quality shape, otherwise a fixed shape
    colour: str = SERIES
    bold: bool = False


@dataclass(frozen=True)
class _Reference:
    value: float
    label: str


def overlaps(a: Row, b: Row) -> bool | None:
    """Do two 95% intervals overlap? None when either has no interval."""
    if not (a.has_bounds and b.has_bounds):
        return None
    return must(a.lb) <= must(b.ub) and must(b.lb) <= must(a.ub)


# --- Dot plot --------------------------------------------------------------------------
def dot_plot(
    rows: Iterable[object],
    *,
    title: str,
    unit: str,
    all_label: str = "All",
    year: int | None = None,
    subtitle: str | None = None,
    width: float = 600,
    chart_id: str | None = None,
) -> Chart:
    """Subgroups as dots with 95% interval whiskers; the ``all_label`` row is the reference line.

    ``rows`` items are :class:`Row`, mappings or objects with ``label`` (or ``subgroup``),
    ``value``, ``lb``, ``ub`` and ``quality``. A subgroup without a value stays listed with
    "No data": a missing breakdown is itself a finding.
    """
    unit = normalise_unit(unit)
    all_rows = [Row.coerce(r) for r in rows or ()]
    everyone = next((r for r in all_rows if r.label.lower() == all_label.lower()), None)
    groups = [r for r in all_rows if r is not everyone]
    has_bounds = any(r.has_bounds for r in all_rows)
    headers = (
        _("Group"),
        _("Value"),
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        *((_("95% confidence interval"),) if has_bounds else ()),
        _("Compared with {all}").format(all=all_label),
        _("Quality"),
    )
    if not any(r.value is not None or r.has_bounds for r in all_rows):
        return empty_chart(title, headers)
    table_rows = []
    for r in ([everyone] if everyone else []) + groups:
        compared = _("Reference") if r is everyone else _compare_text(r, everyone, all_label)
        table_rows.append(_row_cells(r, unit, has_bounds, compared))
    summary = dot_summary(groups, everyone, unit=unit, all_label=all_label, year=year)
    reference = (
        _Reference(everyone.value, f"{all_label}: {label_value(everyone.value, unit)}")
        if everyone and everyone.value is not None
        else None
    )
    legend = Legend(width)
    _quality_legend(legend, groups)
    if reference:
        legend.add("benchmark", _("{all} (reference)").format(all=all_label))
    if not any(r.value is not None or r.has_bounds for r in groups):
        return Chart("", summary, Table(headers, tuple(table_rows), title), title)
    styled = [_Styled(r, "quality") for r in groups]
    svg = _draw_rows(
        kind="dots",
        title=title,
        subtitle=subtitle if subtitle is not None else _subtitle(unit, year),
        summary=summary,
        unit=unit,
        rows=styled,
        reference=reference,
        legend=legend,
        width=width,
        uid=chart_id,
    )
    return Chart(svg, summary, Table(headers, tuple(table_rows), title), title)


def _subtitle(unit: str, year: int | None) -> str:
    parts = [p for p in (unit_label(unit), str(year) if year else "") if p]
    return ", ".join(parts)


def _quality_legend(legend: Legend, rows: list[Row]) -> None:
    qualities = {r.quality for r in rows if r.value is not None}
    for quality in (*FLAG_WORDS.values(), None):
        if quality in qualities:
            legend.add(f"quality:{quality or ''}", quality_legend_label(quality))
    if any(r.has_bounds for r in rows):
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        legend.add("interval", _("95% confidence interval"))


def _row_cells(r: Row, unit: str, has_bounds: bool, *extra: str) -> tuple[str, ...]:
    cells = [r.label, format_value(r.value, unit)]
    if has_bounds:
        cells.append(interval_text(r.lb, r.ub, unit))
    quality = no_data() if r.value is None and r.quality is None else quality_text(r.quality)
    return (*cells, *extra, quality)


def _compare_text(r: Row, everyone: Row | None, all_label: str) -> str:
    if r.value is None or everyone is None or everyone.value is None:
        return no_data()
    overlap = overlaps(r, everyone)
    if overlap:
        return _("Intervals overlap: the difference may not be real")
    if overlap is None and about_equal(r.value, everyone.value):
        return _("About the same")
    word = _("Higher than {all}") if r.value > everyone.value else _("Lower than {all}")
    return word.format(all=all_label)


def dot_summary(groups: list[Row], everyone: Row | None, *, unit, all_label, year) -> str:
    valued = [g for g in groups if g.value is not None]
    missing = [g.label for g in groups if g.value is None]
    prefix = _("In {year}, ").format(year=year) if year else ""
    sentences = []
    if not valued:
        sentences.append(_("These data are not broken down by subgroup here."))
        if everyone and everyone.value is not None:
            sentences.append(
                _("For {all} the value is {value}.").format(
                    all=all_label, value=format_value(everyone.value, unit)
                )
            )
        return " ".join(sentences)
    high = max(valued, key=lambda g: must(g.value))
    low = min(valued, key=lambda g: must(g.value))
    against = ""
    if everyone and everyone.value is not None:
        against = _(", against {value} for {all}").format(
            value=format_value(everyone.value, unit), all=all_label
        )
    if high is low:
        sentences.append(
            _("{prefix}{group} has a value of {value}{against}.").format(
                prefix=prefix,
                group=high.label,
                value=format_value(high.value, unit),
                against=against,
            )
        )
    else:
        sentences.append(
            _(
                "{prefix}{high} has the highest value ({high_value}) and {low} the lowest "
                "({low_value}){against}."
            ).format(
                prefix=prefix,
                high=high.label,
                high_value=format_value(high.value, unit),
                low=low.label,
                low_value=format_value(low.value, unit),
                against=against,
            )
        )
        overlap = overlaps(high, low)
        if overlap is True:
            sentences.append(_("Their intervals overlap, so the difference may not be real."))
        elif overlap is False:
            # xgettext:no-python-format (a literal percent sign, not a placeholder)
            sentences.append(_("Their 95% confidence intervals do not overlap."))
    if missing:
        sentences.append(_("There is no data for {groups}.").format(groups=", ".join(missing)))
    return " ".join(sentences)


# --- Peer comparison -------------------------------------------------------------------
def peer_chart(
    rows: Iterable[object],
    *,
    title: str,
    unit: str,
    direction: str | None = None,
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    year: int | None = None,
    sort: bool = True,
    subtitle: str | None = None,
    width: float = 600,
    chart_id: str | None = None,
) -> Chart:
    """The home jurisdiction (``home=True``) against its peers and the national median.

    Rows are sorted best first when the metric has a direction (highest first otherwise);
    jurisdictions without data go last. The home row has a bold label and a diamond marker.
    """
    unit, direction = normalise_unit(unit), normalise_direction(direction)
    items = [Row.coerce(r) for r in rows or ()]
    bench_label = benchmark_label or _("National median")
    has_bounds = any(r.has_bounds for r in items)
    headers = (
        _("Jurisdiction"),
        _("Value"),
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        *((_("95% confidence interval"),) if has_bounds else ()),
        _("Quality"),
    )
    if not any(r.value is not None for r in items):
        return empty_chart(title, headers)
    if sort:
        items = _sorted_best_first(items, direction)
    table_rows = [_row_cells(_home_named(r) if r.home else r, unit, has_bounds) for r in items]
    if benchmark is not None:
        cells = [bench_label, format_value(benchmark, unit)]
        table_rows.append((*cells, *([""] if has_bounds else []), ""))
    summary = peer_summary(items, unit=unit, direction=direction, benchmark=benchmark, year=year)
    legend = Legend(width)
    if any(r.home for r in items):
        legend.add("home", _("Your community"))
        legend.add("peer", _("Peer"))
    if any(r.quality == "Weak" and r.value is not None for r in items):
        legend.add("weak", quality_legend_label("Weak"))
    if has_bounds:
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        legend.add("interval", _("95% confidence interval"))
    reference = None
    if benchmark is not None:
        reference = _Reference(benchmark, f"{bench_label}: {label_value(benchmark, unit)}")
        legend.add("benchmark", bench_label)
    styled = [
        _Styled(r, "diamond", HOME, bold=True) if r.home else _Styled(r, "circle") for r in items
    ]
    svg = _draw_rows(
        kind="peers",
        title=title,
        subtitle=subtitle if subtitle is not None else _subtitle(unit, year),
        summary=summary,
        unit=unit,
        rows=styled,
        reference=reference,
        legend=legend,
        width=width,
        uid=chart_id,
    )
    return Chart(svg, summary, Table(headers, tuple(table_rows), title), title)


def _home_named(r: Row) -> Row:
    label = _("{name} (your community)").format(name=r.label)
    return Row(label, r.value, r.lb, r.ub, r.quality, True)


def _sort_key(direction: str | None):
    if direction == "lower":
        return lambda r: r.value
    if direction == "parity":
        return lambda r: abs(r.value - 1)
    return lambda r: -r.value


def _sorted_best_first(items: list[Row], direction: str | None) -> list[Row]:
    valued = sorted((r for r in items if r.value is not None), key=_sort_key(direction))
    return valued + [r for r in items if r.value is None]


def peer_summary(items: list[Row], *, unit, direction, benchmark, year) -> str:
    valued = _sorted_best_first([r for r in items if r.value is not None], direction)
    home = next((r for r in items if r.home), None)
    prefix = _("In {year}, ").format(year=year) if year else ""
    if home is None or home.value is None:
        start = _("There is no data for {name}. ").format(name=home.label) if home else ""
        return start + _range_sentence(valued, unit, prefix)
    rank = valued.index(home) + 1
    args = {
        "prefix": prefix,
        "name": home.label,
        "value": format_value(home.value, unit),
        "rank": rank,
        "count": len(valued),
    }
    if direction is None:
        sentence = _(
            "{prefix}{name} ({value}) ranks {rank} of {count} jurisdictions, counting from the "
            "highest value."
        ).format(**args)
    else:
        sentence = _(
            "{prefix}{name} ({value}) ranks {rank} of {count} jurisdictions, where 1 is the best."
        ).format(**args)
    if benchmark is None:
        return sentence
    return sentence + " " + _versus_benchmark(home, benchmark, unit, direction)


def _range_sentence(valued: list[Row], unit: str, prefix: str) -> str:
    high = max(valued, key=lambda r: must(r.value))
    low = min(valued, key=lambda r: must(r.value))
    if high is low:
        return _("{prefix}{name} has a value of {value}.").format(
            prefix=prefix, name=high.label, value=format_value(high.value, unit)
        )
    return _("{prefix}values range from {low} ({low_name}) to {high} ({high_name}).").format(
        prefix=prefix,
        low=format_value(low.value, unit),
        low_name=low.label,
        high=format_value(high.value, unit),
        high_name=high.label,
    )


def _versus_benchmark(home: Row, bench: float, unit: str, direction) -> str:
    value = must(home.value)
    b = format_value(bench, unit)
    if about_equal(value, bench, 0.005):
        return _("It is about the same as the national median ({bench}).").format(bench=b)
    where = (
        _("It is above the national median ({bench})")
        if value > bench
        else _("It is below the national median ({bench})")
    ).format(bench=b)
    good = better(value, bench, direction)
    if good is not None:
        where += _(", which is better here") if good else _(", which is worse here")
    return f"{where}. {interval_note(home.lb, home.ub, bench, None)}".strip()


# --- Drawing ---------------------------------------------------------------------------
ROW_HEIGHT = 34


def _draw_rows(
    *, kind, title, subtitle, summary, unit, rows: list[_Styled], reference, legend, width, uid
) -> str:
    label_space = min(max(text_width(s.row.label, bold=s.bold) for s in rows) + 6, width * 0.36)
    values = [v for s in rows for v in (s.row.value, s.row.lb, s.row.ub) if v is not None]
    if reference:
        values.append(reference.value)
    left = 10 + label_space + 14
    stacked = width < 560  # quality words go under the value on narrow charts
    right = width - _value_space(rows, unit, stacked) - 10
    # about one tick per 60 units keeps labels such as "12.5%" apart on narrow plots
    count = max(3, min(6, int((right - left) / 60) + 1))
    ticks = nice_ticks(*value_domain(values), count=count)
    tick_labels = format_ticks(ticks, unit)
    body, top = heading(title, subtitle, width, axis_note(ticks, tick_labels))
    xs = Scale(ticks[0], ticks[-1], left, right)
    plot_top = top + (22 if reference else 4)
    y = plot_top
    grid: list[str] = []
    rows_svg: list[str] = []
    for s in rows:
        lines = wrap(s.row.label, label_space, max_lines=2)
        height = ROW_HEIGHT + 16 * (len(lines) - 1)
        mid = y + height / 2
        rows_svg += _draw_row(s, lines, mid, xs, left, right, unit, stacked)
        y += height
    plot_bottom = y
    for tick, label in zip(ticks, tick_labels, strict=True):
        x = xs(tick)
        grid.append(line(x, plot_top, x, plot_bottom, stroke=GRID, stroke_width=1))
        grid.append(
            text(x, plot_bottom + 18, label, font_size=SMALL, fill=MUTED, text_anchor="middle")
        )
    grid.append(line(left, plot_bottom, right, plot_bottom, stroke=MUTED, stroke_width=1))
    if ticks[0] < 0 < ticks[-1]:
        grid.append(
            line(xs(0), plot_top, xs(0), plot_bottom, stroke=MUTED, stroke_width=1.5, class_="zero")
        )
    ref_svg = (
        _draw_reference(reference, xs, plot_top, plot_bottom, left, right) if reference else []
    )
    legend_svg, legend_height = legend.render(10, plot_bottom + 44)
    height = plot_bottom + 44 + legend_height + 4
    body += grid + ref_svg + rows_svg + legend_svg
    return document(
        kind=kind, width=width, height=height, title=title, summary=summary, body=body, uid=uid
    )


def _value_space(rows: list[_Styled], unit: str, stacked: bool) -> float:
    widest = 0.0
    for s in rows:
        value = text_width(label_value(s.row.value, unit) + " ", SMALL, s.bold)
        note = _quality_note(s.row, s)
        note_width = text_width(note[0], SMALL, True) if note else 0
        widest = max(widest, max(value, note_width) if stacked else value + note_width)
    return widest + 16


def _draw_reference(ref: _Reference, xs, top, bottom, left, right) -> list[str]:
    x = xs(ref.value)
    half = text_width(ref.label, SMALL) / 2
    label_x = min(max(x, left + half), right - half)
    return [
        line(
            x,
            top - 4,
            x,
            bottom,
            stroke=BENCHMARK,
            stroke_width=2,
            stroke_dasharray="7 5",
            class_="reference",
        ),
        text(
            label_x,
            top - 8,
            ref.label,
            font_size=SMALL,
            text_anchor="middle",
            class_="reference-label",
        ),
    ]


def _quality_note(r: Row, s: _Styled) -> tuple[str, str, str] | None:
    """Words beside the value where the marker shape does not already say the quality."""
    if r.value is None:
        return None
    if r.quality == "Weak":
        return quality_label(r.quality), WEAK, "bold"
    if r.quality == "Marginal" and s.shape != "quality":
        return quality_label(r.quality), MUTED, "normal"
    return None


def _draw_row(s: _Styled, lines, mid: float, xs, left, right, unit, stacked) -> list[str]:
    r = s.row
    weight = {"font_weight": "bold"} if s.bold else {}
    first_y = mid + 5 - 8 * (len(lines) - 1)
    out = [f'<g class="row{" home" if r.home else ""}">']
    for i, piece in enumerate(lines):
        out.append(text(left - 14, first_y + 16 * i, piece, text_anchor="end", **weight))
    colour = WEAK if r.quality == "Weak" and s.shape == "quality" else s.colour
    if r.has_bounds:
        x0, x1 = xs(r.lb), xs(r.ub)
        edge = HOME if r.home else BAND_EDGE
        out.append(line(x0, mid, x1, mid, stroke=edge, stroke_width=2, class_="interval"))
        out.append(line(x0, mid - 5, x0, mid + 5, stroke=edge, stroke_width=2))
        out.append(line(x1, mid - 5, x1, mid + 5, stroke=edge, stroke_width=2))
    if r.value is not None:
        x = xs(r.value)
        if s.shape == "quality":
            out.append(quality_marker(r.quality, x, mid))
        else:
            weak = r.quality == "Weak"
            size = 6.5 if r.home else 5.5
            out.append(
                marker(s.shape, x, mid, colour=WEAK if weak else colour, hollow=weak, size=size)
            )
        value_text = label_value(r.value, unit)
    else:
        value_text = no_data()
    out.append(
        text(
            right + 14,
            mid + 4,
            value_text,
            font_size=SMALL,
            fill=MUTED if r.value is None else INK,
            **weight,
        )
    )
    note = _quality_note(r, s)
    if note:
        x = right + 14 + (0 if stacked else text_width(value_text + " ", SMALL, s.bold))
        y = mid + 18 if stacked else mid + 4
        out.append(text(x, y, note[0], font_size=SMALL, fill=note[1], font_weight=note[2]))
    out.append("</g>")
    return out

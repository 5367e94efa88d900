"""A metric over the years, and a subgroup's gap to the whole over the years."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from metrics.charts.base import (
    Chart,
    Point,
    Table,
    empty_chart,
    missing_years,
    must,
    normalise_direction,
)
from metrics.charts.formatting import (
    format_delta,
    format_magnitude,
    format_value,
    label_value,
    no_data,
    normalise_unit,
    unit_label,
)
from metrics.charts.lines import GoalMark, LineSpec, benchmark_by_year, draw
from metrics.i18n import gettext as _
from metrics.quality import quality_label


def trend_chart(
    series: Iterable[object],
    *,
    title: str,
    unit: str,
    direction: str | None = None,
    benchmark: object = None,
    benchmark_label: str | None = None,
    breaks: Iterable[int] = (),
    missing_reasons: Mapping[int, str] | None = None,
    subtitle: str | None = None,
    width: float = 600,
    plot_height: float = 220,
    chart_id: str | None = None,
    target: Mapping[str, float] | None = None,
) -> Chart:
    """One metric over the years for one jurisdiction.

    ``target`` (``baseline_year``, ``baseline``, ``year``, ``value``) draws a goal: a dotted
    path from the baseline to a diamond at the target, said in the summary and given a row of
    the table.

    ``series`` items are :class:`Point`, mappings or objects with ``year``, ``value``, ``lb``,
    ``ub`` and ``quality``. A year whose value is None breaks the line; so does every year in
    ``breaks`` (e.g. 2022 for Connecticut's new county equivalents), so the line never joins
    values that are not comparable. ``benchmark`` is one number, ``{year: value}`` or points.
    A year missing inside the series (2020 for survey-based metrics) leaves a gap, a row in
    the table and a sentence in the summary, with ``missing_reasons[year]`` when known.
    """
    unit, direction = normalise_unit(unit), normalise_direction(direction)
    points, missing = missing_years(_sorted_points(series))
    bench = benchmark_by_year(benchmark, [p.year for p in points])
    bench_label = benchmark_label or _("National median")
    headers = _trend_headers(points, bench, bench_label)
    if not any(p.value is not None or p.has_bounds or p.text for p in points):
        return empty_chart(title, headers)
    breaks = frozenset(breaks)
    summary = trend_summary(
        points, title=title, unit=unit, direction=direction, benchmark=bench, breaks=breaks
    )
    summary = " ".join(s for s in (summary, missing_text(missing, missing_reasons)) if s)
    rows = tuple(_trend_row(p, unit, bench, headers) for p in points)
    goal = goal_mark(target, unit)
    if goal is not None:
        summary = f"{summary} {goal_sentence(goal, unit)}"
        rows += (_target_row(goal, unit, headers),)
    table = Table(headers, rows, title)
    if not any(p.value is not None or p.has_bounds for p in points):
        return Chart("", summary, table, title)
    spec = LineSpec(
        kind="trend",
        title=title,
        subtitle=subtitle if subtitle is not None else unit_label(unit),
        summary=summary,
        unit=unit,
        points=points,
        label=lambda v: label_value(v, unit),
        benchmark=bench,
        benchmark_label=bench_label,
        breaks=breaks,
        width=width,
        plot_height=plot_height,
        uid=chart_id,
        goal=goal,
    )
    return Chart(draw(spec), summary, table, title)


def goal_mark(
    target: Mapping[str, float] | None, unit: str, *, delta: bool = False
) -> GoalMark | None:
    if not target:
        return None
    value = float(target["value"])
    shown = format_delta(value, unit, short=True) if delta else label_value(value, unit)
    return GoalMark(
        start_year=int(target["baseline_year"]),
        start_value=float(target["baseline"]),
        year=int(target["year"]),
        value=value,
        label=_("Target {year}: {value}").format(year=int(target["year"]), value=shown),
        legend=_("Path to the target"),
    )


def goal_sentence(goal: GoalMark, unit: str) -> str:
    return _("The goal is {value} by {year}, from {start} in {start_year}.").format(
        value=format_value(goal.value, unit),
        year=goal.year,
        start=format_value(goal.start_value, unit),
        start_year=goal.start_year,
    )


def _target_row(goal: GoalMark, unit: str, headers) -> tuple[str, ...]:
    cells = [str(goal.year), _("Target: {value}").format(value=format_value(goal.value, unit))]
    return (*cells, *[""] * (len(headers) - len(cells)))


def _sorted_points(series: Iterable[object]) -> list[Point]:
    by_year = {p.year: p for p in map(Point.coerce, series or ())}
    return [by_year[y] for y in sorted(by_year)]


def _trend_headers(points, bench, bench_label) -> tuple[str, ...]:
    headers = [_("Year"), _("Value")]
    if any(p.has_bounds for p in points):
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        headers.append(_("95% confidence interval"))
    if bench:
        headers.append(bench_label)
    return (*headers, _("Quality"))


def interval_text(lb: float | None, ub: float | None, unit: str) -> str:
    if lb is None or ub is None:
        return no_data()
    return _("{low} to {high}").format(low=format_value(lb, unit), high=format_value(ub, unit))


def _trend_row(p: Point, unit: str, bench: dict[int, float], headers) -> tuple[str, ...]:
    value = format_value(p.text if p.value is None and p.text else p.value, unit)
    row = [str(p.year), value]
    # xgettext:no-python-format (a literal percent sign, not a placeholder)
    if _("95% confidence interval") in headers:
        row.append(interval_text(p.lb, p.ub, unit))
    if bench:
        row.append(format_value(bench.get(p.year), unit))
    empty = p.value is None and not p.text
    return (*row, no_data() if empty and p.quality is None else quality_text(p.quality))


def _years_text(years: list[int]) -> str:
    """2020; 2016 to 2018; 2015, 2019 to 2020."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(
        str(r[0]) if len(r) == 1 else _("{first} to {last}").format(first=r[0], last=r[-1])
        for r in runs
    )


def missing_text(years: list[int], reasons: Mapping[int, str] | None = None) -> str:
    """Why the line has a gap: the years without a value, and the reason where it is known."""
    if not years:
        return ""
    if len(years) == 1:
        text = _("There is no value for {year}, so the line is not drawn across it.").format(
            year=years[0]
        )
    else:
        text = _("There are no values for {years}, so the line is not drawn across them.").format(
            years=_years_text(years)
        )
    known = dict.fromkeys(reasons[y] for y in years if reasons and reasons.get(y))
    return " ".join([text, *known])


def quality_text(quality: str | None) -> str:
    return quality_label(quality)


def about_equal(a: float, b: float, tolerance: float = 0.01) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b)) or abs(a - b) < 1e-12


def interval_note(lb: float | None, ub: float | None, bench: float, year: int | None) -> str:
    """Say so when the estimate's interval includes the median: the difference may be noise."""
    if lb is None or ub is None or not lb <= bench <= ub:
        return ""
    if year is None:
        return _(
            # xgettext:no-python-format (a literal percent sign, not a placeholder)
            "Its 95% confidence interval includes the median, so the difference may not be real."
        )
    return _(
        # xgettext:no-python-format (a literal percent sign, not a placeholder)
        "In {year} its 95% confidence interval includes the median, so the difference may "
        "not be real."
    ).format(year=year)


def better(a: float, b: float, direction: str | None) -> bool | None:
    """Is value a better than value b? None when the metric has no direction."""
    if direction == "higher":
        return a > b
    if direction == "lower":
        return a < b
    if direction == "parity":
        return abs(a - 1) < abs(b - 1)
    return None


def trend_summary(points, *, title, unit, direction, benchmark, breaks=()) -> str:
    valued = [p for p in points if p.value is not None]
    if not valued:
        texts = [p for p in points if p.text]
        if texts:
            last = texts[-1]
            value = format_value(last.text, unit)
            return _("{title} was {value} in {year}.").format(
                title=title, value=value, year=last.year
            )
        return _("There is no data for {title} to chart; the table lists what exists.").format(
            title=title
        )
    last = valued[-1]
    # a change is only read within the latest comparable stretch (e.g. Connecticut from 2022)
    cut = max((b for b in breaks if valued[0].year < b <= last.year), default=None)
    comparable = [p for p in valued if cut is None or p.year >= cut]
    sentences = [_change_sentence(comparable[0], last, title, unit, direction)]
    if cut is not None:
        sentences.append(
            _("Values before {year} are not comparable because the series breaks.").format(year=cut)
        )
    if benchmark:
        sentences.append(
            _benchmark_sentence(comparable, unit, direction, benchmark, whole=cut is None)
        )
    if last.quality == "Weak":
        sentences.append(
            _(
                "The {year} value is rated Weak: the Urban Institute advises "
                "communities not to act on it."
            ).format(year=last.year)
        )
    return " ".join(s for s in sentences if s)


def _change_sentence(first: Point, last: Point, title: str, unit: str, direction) -> str:
    a, b = must(first.value), must(last.value)
    v0, v1 = format_value(a, unit), format_value(b, unit)
    if first is last:
        return _("{title} was {value} in {year}.").format(title=title, value=v1, year=last.year)
    args = {"title": title, "start": v0, "end": v1, "y0": first.year, "y1": last.year}
    if about_equal(a, b):
        return _("{title} stayed about the same, at {start} in {y0} and {end} in {y1}.").format(
            **args
        )
    rose = b > a
    text = (
        _("{title} rose from {start} in {y0} to {end} in {y1}")
        if rose
        else _("{title} fell from {start} in {y0} to {end} in {y1}")
    ).format(**args)
    improved = better(b, a, direction)
    if improved is None:
        return text + "."
    if direction == "parity":
        suffix = _(", closer to parity.") if improved else _(", further from parity.")
    else:
        suffix = _(", a change for the better.") if improved else _(", a change for the worse.")
    return text + suffix


def _side(value: float, bench: float) -> int:
    return 0 if about_equal(value, bench, 0.005) else (1 if value > bench else -1)


def _benchmark_sentence(valued: list[Point], unit: str, direction, benchmark, whole=True) -> str:
    """Compare with the median; ``whole`` is False when earlier years sit before a break."""
    pairs = [(p.year, must(p.value), benchmark[p.year]) for p in valued if p.year in benchmark]
    if not pairs:
        return ""
    latest = next(p for p in valued if p.year == pairs[-1][0])
    note = interval_note(latest.lb, latest.ub, pairs[-1][2], latest.year)
    year, value, bench = pairs[-1]
    side = _side(value, bench)
    if side == 0:
        return _("In {year} it was about the same as the national median ({bench}).").format(
            year=year, bench=format_value(bench, unit)
        )
    since = year
    for y, v, b in reversed(pairs):
        if _side(v, b) != side:
            break
        since = y
    where = _("above the national median") if side > 0 else _("below the national median")
    if len(pairs) == 1:
        sentence = _("In {year} it was {where} ({bench})").format(
            year=year, where=where, bench=format_value(bench, unit)
        )
    elif since == pairs[0][0] and whole:
        sentence = _("It has been {where} in every year shown").format(where=where)
    elif since == year:
        sentence = _("In {year} it was {where} ({bench})").format(
            year=year, where=where, bench=format_value(bench, unit)
        )
    else:
        sentence = _("It has been {where} since {since}").format(where=where, since=since)
    good = better(value, bench, direction)
    if good is not None:
        sentence += _(", which is better here") if good else _(", which is worse here")
    return f"{sentence}. {note}".strip()


# --- Gap to the whole ------------------------------------------------------------------
_RANK = {"Weak": 0, "Marginal": 1, None: 2, "Strong": 3}


def _worst(a: str | None, b: str | None) -> str | None:
    return min((a, b), key=lambda q: _RANK[q])


def gap_chart(
    subgroup: Iterable[object],
    whole: Iterable[object],
    *,
    title: str,
    unit: str,
    subgroup_label: str,
    whole_label: str = "All",
    direction: str | None = None,
    breaks: Iterable[int] = (),
    missing_reasons: Mapping[int, str] | None = None,
    subtitle: str | None = None,
    width: float = 600,
    plot_height: float = 200,
    chart_id: str | None = None,
    target: Mapping[str, float] | None = None,
) -> Chart:
    """The difference subgroup minus whole, year by year (zero = no gap).

    ``target`` (``year``, ``value``): a gap target, drawn from the latest gap to the target.

    Each gap point carries the worse of the two quality flags. No interval is drawn for the
    gap: the subgroup is part of the whole, so the two estimates are not independent.
    """
    unit, direction = normalise_unit(unit), normalise_direction(direction)
    sub = {p.year: p for p in map(Point.coerce, subgroup or ())}
    all_ = {p.year: p for p in map(Point.coerce, whole or ())}
    years = sorted(set(sub) | set(all_))
    points = []
    for year in years:
        s, w = sub.get(year), all_.get(year)
        if s is None or w is None or s.value is None or w.value is None:
            points.append(Point(year))
        else:
            points.append(Point(year, s.value - w.value, quality=_worst(s.quality, w.quality)))
    points, missing = missing_years(points)
    headers = (_("Year"), subgroup_label, whole_label, _("Gap"), _("Quality"))
    if not any(p.value is not None for p in points):
        return empty_chart(title, headers)
    rows = tuple(
        (
            str(p.year),
            format_value(sub[p.year].value if p.year in sub else None, unit),
            format_value(all_[p.year].value if p.year in all_ else None, unit),
            format_delta(p.value, unit),
            quality_text(p.quality) if p.value is not None else no_data(),
        )
        for p in points
    )
    breaks = frozenset(breaks)
    summary = gap_summary(points, unit, subgroup_label, whole_label, direction, breaks)
    summary = " ".join(s for s in (summary, missing_text(missing, missing_reasons)) if s)
    goal = None
    latest = next((p for p in reversed(points) if p.value is not None), None)
    if target and latest is not None:
        start = {"baseline_year": latest.year, "baseline": must(latest.value)}
        goal = goal_mark({**start, **target}, unit, delta=True)
    if goal is not None:
        summary += " " + _("The gap target is {value} by {year}.").format(
            value=format_delta(goal.value, unit), year=goal.year
        )
        rows += (
            (
                str(goal.year),
                "",
                "",
                _("Target: {value}").format(value=format_delta(goal.value, unit)),
                "",
            ),
        )
    zero = _("No gap: {subgroup} equals {whole}").format(subgroup=subgroup_label, whole=whole_label)
    default_subtitle = _("{subgroup} minus {whole}").format(
        subgroup=subgroup_label, whole=whole_label
    )
    if unit == "share":
        default_subtitle += ", " + _("percentage points")
    spec = LineSpec(
        kind="gap",
        title=title,
        subtitle=subtitle if subtitle is not None else default_subtitle,
        summary=summary,
        unit=unit,
        points=points,
        label=lambda v: format_delta(v, unit, short=True),
        breaks=breaks,
        delta=True,
        zero_label=zero,
        width=width,
        plot_height=plot_height,
        uid=chart_id,
        goal=goal,
    )
    return Chart(draw(spec), summary, Table(headers, rows, title), title)


def _position(gap: float, unit: str, sub: str, whole: str) -> str:
    if gap == 0:
        return _("{subgroup} was equal to {whole}").format(subgroup=sub, whole=whole)
    template = _("{subgroup} was {size} above {whole}") if gap > 0 else None
    template = template or _("{subgroup} was {size} below {whole}")
    return template.format(subgroup=sub, size=format_magnitude(gap, unit), whole=whole)


def gap_summary(points, unit, sub, whole, direction, breaks=frozenset()) -> str:
    valued = [p for p in points if p.value is not None]
    last = valued[-1]
    cut = max((b for b in breaks if valued[0].year < b <= last.year), default=None)
    first = next(p for p in valued if cut is None or p.year >= cut)
    latest = _("In {year}, {position}").format(
        year=last.year, position=_position(last.value, unit, sub, whole)
    )
    hint = {
        "higher": _(" (higher is better)."),
        "lower": _(" (lower is better)."),
    }.get(direction, ".")
    if first is last:
        return latest + hint
    g0, g1 = abs(first.value), abs(last.value)
    args = {
        "subgroup": sub,
        "whole": whole,
        "start": format_magnitude(first.value, unit),
        "end": format_magnitude(last.value, unit),
        "y0": first.year,
        "y1": last.year,
    }
    if first.value * last.value < 0:
        change = _(
            "The gap between {subgroup} and {whole} changed sides between {y0} and {y1}."
        ).format(**args)
    elif about_equal(g0, g1):
        change = _(
            "The gap between {subgroup} and {whole} stayed about the same, "
            "{start} in {y0} and {end} in {y1}."
        ).format(**args)
    elif g1 < g0:
        change = _(
            "The gap between {subgroup} and {whole} narrowed from {start} in {y0} to {end} in {y1}."
        ).format(**args)
    else:
        change = _(
            "The gap between {subgroup} and {whole} widened from {start} in {y0} to {end} in {y1}."
        ).format(**args)
    return f"{change} {latest}{hint}"

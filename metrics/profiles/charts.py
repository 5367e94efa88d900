"""Turn profile data into the shared SVG charts (the same objects serve pages and the PDF)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metrics.catalog import missing_year_reasons
from metrics.charts import Chart, Point, Row, dot_plot, gap_chart, peer_chart, trend_chart
from metrics.models import Geography, Metric
from metrics.profiles.reading import (
    Reading,
    chart_direction,
    chart_unit,
    subgroup_name_text,
    subgroup_type_text,
)
from metrics.profiles.selectors import SubgroupSeries
from metrics.quality import FLAG_WORDS

# Connecticut's counties became planning regions in 2022: no series crosses that year.
CONNECTICUT = "09"


def _point(reading: Reading, include_weak: bool) -> Point:
    hidden = reading.is_weak and not include_weak
    return Point(
        year=reading.year,
        value=None if hidden else reading.number,
        lb=None if hidden else reading.lb,
        ub=None if hidden else reading.ub,
        quality=FLAG_WORDS.get(reading.quality or 0),
    )


def breaks_for(geography: Geography) -> tuple[int, ...]:
    return (2022,) if geography.state_fips == CONNECTICUT and geography.kind == "county" else ()


def metric_trend(
    geography: Geography,
    metric: Metric,
    series: list[Reading],
    medians: dict[int, float],
    *,
    include_weak: bool,
) -> Chart:
    return trend_chart(
        [_point(r, include_weak) for r in series],
        title=metric.label,
        subtitle=geography.full_name,
        unit=chart_unit(metric.unit),
        direction=chart_direction(metric.direction),
        benchmark=medians or None,
        benchmark_label=_("National median"),
        breaks=breaks_for(geography),
        missing_reasons=missing_year_reasons(metric.variable),
        chart_id=f"trend-{metric.variable}",
    )


def split_total(
    groups: list[SubgroupSeries], whole: list[Reading]
) -> tuple[list[SubgroupSeries], list[Reading]]:
    """A breakdown's own "All" row is its reference (Urban computes it with the groups);
    the overall file's value stands in when the breakdown has none."""
    total = next((g for g in groups if g.name.lower() == "all"), None)
    rest = [g for g in groups if g is not total]
    return rest, (total.series if total else whole)


def subgroup_dots(
    metric: Metric,
    subgroup_type: str,
    groups: list[SubgroupSeries],
    whole: list[Reading],
    *,
    include_weak: bool,
) -> tuple[Chart, int | None]:
    """Subgroups in the latest year any of them has a value, with the whole for reference."""
    groups, whole = split_total(groups, whole)
    years = [r.year for g in groups for r in g.series if r.number is not None]
    if not years:
        return dot_plot([], title=metric.label, unit=chart_unit(metric.unit)), None
    year = max(years)
    rows = []
    overall = next((r for r in whole if r.year == year), None)
    if overall is not None:
        p = _point(overall, include_weak)
        rows.append(Row(label=_("All"), value=p.value, lb=p.lb, ub=p.ub, quality=p.quality))
    for group in groups:
        reading = next((r for r in group.series if r.year == year), None)
        p = _point(reading, include_weak) if reading else Point(year=year)
        rows.append(
            Row(
                label=subgroup_name_text(group.name),
                value=p.value,
                lb=p.lb,
                ub=p.ub,
                quality=p.quality,
            )
        )
    chart = dot_plot(
        rows,
        title=metric.label,
        unit=chart_unit(metric.unit),
        all_label=_("All"),
        year=year,
        subtitle=subgroup_type_text(subgroup_type),
        chart_id=f"dots-{metric.variable}-{subgroup_type}",
    )
    return chart, year


def subgroup_gap(
    geography: Geography,
    metric: Metric,
    group: SubgroupSeries,
    whole: list[Reading],
    *,
    include_weak: bool,
) -> Chart:
    return gap_chart(
        [_point(r, include_weak) for r in group.series],
        [_point(r, include_weak) for r in whole],
        title=metric.label,
        unit=chart_unit(metric.unit),
        subgroup_label=subgroup_name_text(group.name),
        whole_label=_("All"),
        direction=chart_direction(metric.direction),
        breaks=breaks_for(geography),
        missing_reasons=missing_year_reasons(metric.variable),
        chart_id=f"gap-{metric.variable}",
    )


def peers_compare(
    metric: Metric,
    year: int | None,
    rows: list[tuple[Geography, Reading | None, bool]],
    median: float | None,
    *,
    include_weak: bool,
) -> Chart:
    chart_rows = []
    for place, reading, home in rows:
        p = _point(reading, include_weak) if reading else Point(year=year or 0)
        chart_rows.append(
            Row(
                label=place.full_name, value=p.value, lb=p.lb, ub=p.ub, quality=p.quality, home=home
            )
        )
    return peer_chart(
        chart_rows,
        title=metric.label,
        unit=chart_unit(metric.unit),
        direction=chart_direction(metric.direction),
        benchmark=median,
        benchmark_label=_("National median"),
        year=year,
        chart_id=f"peers-{metric.variable}",
    )

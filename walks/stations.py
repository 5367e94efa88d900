"""What a station shows: a series for the coalition's place, without Weak years.

A station's source (``Station.variable``) is a Mobility Metric's variable, or
``local:<dataset id>:<area>`` for an area of one of the coalition's local datasets
(``metrics/local_data.py``; the whole population, subgroup empty or "All"). Local values
carry no quality flag, so the station says they are not rated and where they come from.

Weak values are never used on a walk: the chart, its table and the caption's number leave out
every year Urban rated Weak, and a metric whose values are all Weak cannot become a station.
Numbers come from the active release through ``plans.map.metric_data`` (the one reader of the
metrics for the plan), so a walk shows the same numbers as the MAP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from coalitions.models import Coalition
from metrics.charts import trend_chart
from metrics.charts.base import Chart
from metrics.charts.formatting import display_unit
from metrics.models import Quality
from metrics.quality import quality_label
from plans.map import metric_data


@dataclass(frozen=True)
class StationData:
    variable: str
    label: str
    unit: str
    direction: str
    points: list[dict[str, Any]]
    weak_years: list[int]
    local: bool = False

    @property
    def latest(self) -> dict[str, Any] | None:
        shown = [p for p in self.points if p["value"] is not None]
        return shown[-1] if shown else None

    @property
    def usable(self) -> bool:
        return self.latest is not None

    def value_text(self) -> str:
        latest = self.latest
        return metric_data.value_text(latest["value"], self.unit) if latest else ""

    def sureness(self) -> str:
        """How sure we are of the number, in plain words, from its quality flag."""
        latest = self.latest
        if latest is None:
            return ""
        if latest["quality"] == Quality.STRONG:
            return _("We are fairly sure of this number (its data quality is rated Strong).")
        if latest["quality"] == Quality.MARGINAL:
            return _("Treat this number with some care (its data quality is rated %(rating)s).") % {
                "rating": quality_label(latest["quality"])
            }
        if self.local:
            return _(
                "From the coalition's own local data; its quality is not rated like the "
                "Mobility Metrics."
            )
        return _("The quality of this number is not rated.")

    def weak_note(self) -> str:
        if not self.weak_years:
            return ""
        years = ", ".join(str(y) for y in self.weak_years)
        return _(
            "Years left out because their numbers are too uncertain to use (rated Weak): %(years)s."
        ) % {"years": years}

    def summary(self) -> str:
        """The number and what it is, for a default caption."""
        latest = self.latest
        if latest is None:
            return ""
        return _("%(metric)s in %(year)s: %(value)s.") % {
            "metric": self.label,
            "year": latest["year"],
            "value": self.value_text(),
        }


LOCAL = "local:"


def local_source(dataset_id: int, area: str) -> str:
    return f"{LOCAL}{dataset_id}:{area}"


def local_choices(coalition: Coalition) -> list[tuple[str, str]]:
    """(source, label) of every area of the coalition's loaded local datasets."""
    from metrics.models import LocalValue

    rows = (
        LocalValue.objects.filter(
            dataset__coalition=coalition, dataset__status="succeeded", subgroup__in=("", "All")
        )
        .values_list("dataset_id", "dataset__name", "area")
        .distinct()
        .order_by("dataset__name", "area")
    )
    return [(local_source(pk, area), f"{name}: {area}") for pk, name, area in rows]


def _local_data(coalition: Coalition, source: str) -> StationData:
    from metrics.models import LocalDataset

    dataset_id, _sep, area = source[len(LOCAL) :].partition(":")
    dataset = (
        LocalDataset.objects.filter(coalition=coalition, pk=dataset_id).first()
        if dataset_id.isdigit()
        else None
    )
    if dataset is None:
        return StationData(source, source, "number", "", [], [], local=True)
    values = dataset.values.filter(area=area, subgroup__in=("", "All")).order_by("year")
    points = [
        {"year": v.year, "value": v.value, "lb": v.lb, "ub": v.ub, "quality": None} for v in values
    ]
    return StationData(
        variable=source,
        label=f"{dataset.name}: {area}",
        unit=dataset.unit or "number",
        direction="",
        points=points,
        weak_years=[],
        local=True,
    )


def station_data(coalition: Coalition, variable: str) -> StationData:
    if variable.startswith(LOCAL):
        return _local_data(coalition, variable)
    info = metric_data.metric_info(variable)
    series = metric_data.series_for(coalition, variable)
    weak = [p["year"] for p in series if p["quality"] == Quality.WEAK and p["value"] is not None]
    points = [p for p in series if p["quality"] != Quality.WEAK]
    return StationData(
        variable=variable,
        label=info["label"],
        unit=info["unit"],
        direction=info.get("direction") or "",
        points=points,
        weak_years=weak,
    )


def station_chart(data: StationData, *, chart_id: str, width: float = 620) -> Chart:
    """The same SVG trend chart as the plan's, drawn from the non-Weak years only."""
    return trend_chart(
        data.points,
        title=data.label,
        unit=display_unit(data.unit or "number"),
        direction=data.direction or None,
        missing_reasons={} if data.local else metric_data.missing_reasons(data.variable),
        chart_id=chart_id,
        width=width,
    )

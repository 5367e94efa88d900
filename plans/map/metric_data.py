"""The one seam between the MAP and the metrics app's numbers.

The metric models (Metric, Observation, Release, Subgroup) live on another branch. Everything
here imports them lazily and answers "nothing" (empty list, None) when they are absent, so the
MAP works, and says "no baseline yet", before the metrics are merged. Nothing else in
``plans.map`` touches the metrics models.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

QUALITY_LABELS = {1: "Strong", 2: "Marginal", 3: "Weak"}
SOURCE = "Urban Institute, Mobility Metrics for the Upward Mobility Framework"


@dataclass(frozen=True)
class Baseline:
    value: float | None
    year: int
    quality: int | None
    release_name: str
    label: str = ""
    unit: str = ""

    @property
    def quality_label(self) -> str:
        return QUALITY_LABELS.get(self.quality or 0, "Not rated")

    @property
    def value_text(self) -> str:
        return "" if self.value is None else f"{self.value:g}"

    @property
    def is_weak(self) -> bool:
        return self.quality == 3

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "quality_label": self.quality_label, "source": SOURCE}


def _models() -> Any:
    """The metrics models as a namespace, or None before the metrics branch is merged."""
    try:
        from metrics import models as m
    except ImportError:  # pragma: no cover - the app always exists; its models may not
        return None
    if not all(hasattr(m, name) for name in ("Metric", "Observation", "Release", "Subgroup")):
        return None
    return m


def metrics_available() -> bool:
    return _models() is not None


def _active_release() -> Any:
    from metrics import selectors as metric_selectors

    return metric_selectors.release_active()


def active_release_name() -> str:
    if _models() is None:
        return ""
    release = _active_release()
    return release.name if release else ""


def metric_choices() -> list[tuple[str, str]]:
    """(variable, label) of every Mobility Metric, for the measure form's choice list."""
    m = _models()
    if m is None:
        return []
    return list(m.Metric.objects.order_by("position", "label").values_list("variable", "label"))


def metric_label(variable: str) -> str:
    return dict(metric_choices()).get(variable, variable)


def _observations(coalition: Any, variable: str, subgroup: str | None) -> Any:
    """(release, metric, rows by year) for the whole population or one subgroup by name."""
    from metrics import selectors as metric_selectors

    m = _models()
    release = _active_release()
    metric = m.Metric.objects.filter(variable=variable).first()
    if release is None or metric is None:
        return None, None, None
    rows = metric_selectors.observations_for_geography(
        geography=coalition.geography, release=release, metric=variable
    )
    rows = (
        rows.filter(subgroup__name=subgroup)
        if subgroup
        else rows.filter(subgroup__subgroup_type="all")
    )
    return release, metric, rows.order_by("year")


def baseline_for(coalition: Any, variable: str, subgroup: str | None = None) -> Baseline | None:
    """The latest value of a metric for the coalition's geography, in the active release."""
    if not variable or _models() is None:
        return None
    release, metric, rows = _observations(coalition, variable, subgroup)
    if rows is None:
        return None
    latest = rows.exclude(value__isnull=True).last()
    if latest is None:
        return None
    return Baseline(
        value=latest.value,
        year=latest.year,
        quality=latest.quality,
        release_name=release.name,
        label=metric.label,
        unit=metric.unit,
    )


def series_for(coalition: Any, variable: str, subgroup: str | None = None) -> list[dict]:
    """Every year of a metric (value, bounds, quality) for a chart; [] without metrics."""
    if not variable or _models() is None:
        return []
    _release, _metric, rows = _observations(coalition, variable, subgroup)
    if rows is None:
        return []
    return [
        {"year": r.year, "value": r.value, "lb": r.lb, "ub": r.ub, "quality": r.quality}
        for r in rows
    ]


def metric_info(variable: str) -> dict[str, str]:
    """Label, unit and direction of a metric, for a chart's axis and wording."""
    m = _models()
    if m is None:
        return {"label": variable, "unit": "number", "direction": ""}
    metric = m.Metric.objects.filter(variable=variable).first()
    if metric is None:
        return {"label": variable, "unit": "number", "direction": ""}
    return {"label": metric.label, "unit": metric.unit, "direction": metric.direction}

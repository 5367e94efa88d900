"""Every metric of the catalog, linked to a measure and named in a worksheet, reads as its unit.

Grade levels, people per physician and text ratios once made the worksheet page and the
freezing of a MAP version answer 500 ("Unknown unit"); this walks all 47 through both.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from metrics import models as m
from metrics.catalog import catalog_load
from metrics.charts import format_value
from metrics.charts.formatting import format_parts
from plans import services as plan_services
from plans.map import services
from plans.map.charting import document_charts
from plans.map.pdf import render_html

pytestmark = pytest.mark.django_db

# A value for each unit, as Urban's files hold it
SAMPLE = {
    "share": 0.399,
    "dollars": 66167.0,
    "per_100k": 312.4,
    "per_10k": 12.5,
    "per_100_households": 0.45,
    "ratio": 1.2,
    "text_ratio": 0.119 / 0.246,
    "index": 45.0,
    "count": 1234.0,
    "grade_levels": 0.97,
    "people_per_physician": 2235.0,
}
YEARS = (2017, 2018, 2019, 2021)  # no 2020, as in the ACS 1-year metrics


def _observe_every_metric(coalition) -> list[m.Metric]:
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="units-test", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    metrics = list(m.Metric.objects.order_by("position"))
    rows = []
    for metric in metrics:
        parts = (0.119, 0.246) if metric.unit == "text_ratio" else (None, None)
        for year in YEARS:
            rows.append(
                m.Observation(
                    release=release,
                    geography=coalition.geography,
                    metric=metric,
                    subgroup=everyone,
                    year=year,
                    value=SAMPLE[metric.unit],
                    value_a=parts[0],
                    value_b=parts[1],
                    quality=1,
                )
            )
    m.Observation.objects.bulk_create(rows)
    return metrics


def _expected(metric: m.Metric) -> str:
    return format_value(SAMPLE[metric.unit], metric.unit)


def _measures_for(pm, count: int):
    kinds = ("input", "output", "outcome_short", "outcome_medium", "outcome_long")
    for i in range(0, count, len(kinds)):
        services.strategic_action_save(
            actor=pm,
            fields={"title": f"Action {i // len(kinds) + 1}"},
            elements={kind: f"{kind} {i}" for kind in kinds},
        )
    return list(pm.coalition.measures.order_by("pk"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_metric_is_a_baseline_frozen_charted_and_printed(coalition, pm, language):
    metrics = _observe_every_metric(coalition)
    assert len(metrics) == len(catalog_load().metrics) == 47
    for measure, metric in zip(_measures_for(pm, len(metrics)), metrics, strict=False):
        fields = {"metric_variable": metric.variable}
        services.measure_save(measure=measure, actor=pm, fields=fields)

    # The plan is written in the language its settings give, whoever freezes it.
    services.plan_settings_save(actor=pm, language=language)
    with translation.override(language):
        version = services.map_version_freeze(actor=pm)
        document = version.document
        baselines = {r["metric_variable"]: r["baseline"] for r in document["measures"]}
        for metric in metrics:
            assert baselines[metric.variable] == _expected(metric), metric.variable
        charts = document_charts(document)
        html = render_html(document)

    assert len(charts) == len(metrics)
    for chart in charts:
        assert "2020" in chart.summary  # the gap is said, not drawn across
    assert "45.0 per 100 households" in html or "45.0 por cada 100 hogares" in html
    share = "39.9%" if language == "en" else "39.9\u00a0%"
    assert share in html


def test_the_worksheet_names_every_metric_with_its_value(client, coalition, pm, team):
    metrics = _observe_every_metric(coalition)
    lead = team["data_lead"]
    result = plan_services.worksheet_response_save(
        worksheet_key="w5_6",
        data={
            "records": [
                {
                    "metric_of_interest": metrics[0].variable,
                    "related_metrics": [metric.variable for metric in metrics[1:]],
                }
            ]
        },
        base_version=0,
        actor=lead,
    )
    assert not result.errors
    client.force_login(lead.user)
    page = client.get(reverse("plans:worksheet", args=[coalition.pk, "w5_6"])).content.decode()
    for metric in metrics:
        text_ratio = metric.unit == "text_ratio"
        value = format_parts(0.119, 0.246) if text_ratio else _expected(metric)
        assert f"{metric.label} here: {value} (2021)" in page, metric.variable
    assert "45.0 per 100 households" in page and "2,235 people per physician" in page

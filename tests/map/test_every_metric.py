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

    with translation.override(language):
        version = services.map_version_freeze(actor=pm, override_reason="Test")
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


# A target for each unit as a person types it.
TYPED_TARGETS = {
    "share": "50%",
    "dollars": "$70,000",
    "per_100k": "300",
    "per_10k": "10",
    "per_100_households": "50",
    "ratio": "1.1",
    "text_ratio": "1:1",
    "index": "50",
    "count": "1,500",
    "grade_levels": "1.0",
    "people_per_physician": "2,000",
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_metric_is_a_headline_goal_frozen_charted_and_printed(coalition, pm, language):
    import datetime as dt

    from metrics.charts.formatting import value_parse
    from plans.map import goal_display
    from plans.map.models import HeadlineGoal

    metrics = _observe_every_metric(coalition)
    for measure, metric in zip(_measures_for(pm, len(metrics)), metrics, strict=False):
        services.measure_save(
            measure=measure, actor=pm, fields={"metric_variable": metric.variable}
        )
    area = None
    for i, metric in enumerate(metrics):
        if i % 3 == 0:
            area = services.priority_area_save(actor=pm, name=f"Area {i // 3 + 1}")
        assert area is not None
        services.headline_goal_save(
            actor=pm,
            priority_area=area,
            metric_variable=metric.variable,
            target=TYPED_TARGETS[metric.unit],
            target_date=dt.date(2030, 12, 31),
        )
    assert HeadlineGoal.objects.count() == 47

    with translation.override(language):
        version = services.map_version_freeze(actor=pm, override_reason="A test plan.")
        document = version.document
        html = render_html(document)
        m7 = next(s for s in document["sections"] if s["key"] == "M7")
        rows = [r for b in m7["blocks"] if b.get("key") == "goals" for r in b["rows"]]
        goals = {g.indicator: g for g in HeadlineGoal.objects.all()}
        for metric in metrics:
            row = next(r for r in rows if r[0].startswith(metric.label))
            target = value_parse(TYPED_TARGETS[metric.unit], metric.unit)
            assert row[1] == _expected(metric) + " (2021)", metric.variable
            assert row[2].startswith(format_value(target, metric.unit)), metric.variable
            assert goal_display.target_text(goals[metric.label]) == row[2]
        drawn = [c for c in document_charts(document) if "2030" in c.summary]

    assert len(drawn) == len(metrics)
    for chart in drawn:
        assert chart.svg and chart.table.rows[-1][0] == "2030"
    assert "0.48 : 1" in html and "1.00 : 1" in html  # a text ratio's baseline and target
    assert ("$70,000 by December 31, 2030" in html) == (language == "en")


def test_a_measure_baseline_or_target_of_a_linked_metric_reads_in_its_unit():
    from plans.map.metric_data import measure_value_text

    assert measure_value_text("0.399076", "share_employed") == "39.9%"  # as the data store it
    assert measure_value_text("40", "share_employed") == "40.0%"  # typed in percent
    assert measure_value_text("39.9076%", "share_employed") == "39.9%"
    assert measure_value_text("about 40%", "share_employed") == "about 40%"  # as written
    assert measure_value_text("0.399076", "") == "0.399076"
    ratio = m.Metric.objects.filter(unit="text_ratio").first()
    assert measure_value_text("1:1", ratio.variable) == "1.00 : 1"


def test_a_measure_on_a_metric_takes_numbers_only_and_prints_them_by_unit(coalition, pm):
    from django.core.exceptions import ValidationError

    _observe_every_metric(coalition)
    measure = _measures_for(pm, 1)[0]
    fields = {"metric_variable": "share_employed"}
    services.measure_save(measure=measure, actor=pm, fields=fields)
    assert measure.baseline == "39.9%"  # prefilled as a person would type it
    with pytest.raises(ValidationError) as caught:
        services.measure_save(measure=measure, actor=pm, fields={"target": "about half"})
    assert "so its target is a number" in caught.value.message_dict["target"][0]
    measure.refresh_from_db()
    assert measure.target == ""
    services.measure_save(measure=measure, actor=pm, fields={"target": "50"})
    with translation.override("en"):
        document = services.map_version_freeze(actor=pm, override_reason="A test plan.").document
    assert document["measures"][0]["target"] == "50.0%"

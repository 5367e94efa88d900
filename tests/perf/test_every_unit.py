"""Every unit of the metric catalog shows in every place a page shows a metric (no 500).

One metric per catalog unit, with values in the active release, named by each kind of
metric answer (a single answer, a multiple answer, a table column) on every worksheet that
has one, edited and read-only, exported; linked to measures and headline goals; drawn in the
plan's sections.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from metrics import models as m
from metrics.catalog import UNITS, catalog_load
from metrics.charts.formatting import display_unit, format_parts, format_value
from plans import definitions
from plans.map import services as map_services
from plans.models import WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db
VALUES = {"share": 0.4, "per_100_households": 0.45, "text_ratio": 0.48}


def _one_metric_per_unit() -> dict[str, str]:
    found: dict[str, str] = {}
    for spec in catalog_load().metrics:
        found.setdefault(spec.unit, spec.variable)
    assert set(found) == set(UNITS)
    return found


@pytest.fixture
def world(db):
    coalition = CoalitionFactory()
    pm = MembershipFactory(coalition=coalition, role="project_manager")
    viewer = MembershipFactory(coalition=coalition, role="viewer")
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="units", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    variables = _one_metric_per_unit()
    expected, baselines = {}, {}
    for unit, variable in variables.items():
        metric = m.Metric.objects.get(variable=variable)
        value = VALUES.get(unit, 12.5)
        ratio = (0.119, 0.246) if unit == "text_ratio" else (None, None)
        m.Observation.objects.create(
            release=release,
            geography=coalition.geography,
            metric=metric,
            subgroup=everyone,
            year=2023,
            value=value,
            value_a=ratio[0],
            value_b=ratio[1],
            quality=1,
        )
        baselines[variable] = format_value(value, display_unit(unit))
        expected[variable] = (
            format_parts(*ratio)
            if unit == "text_ratio"
            else format_value(value, display_unit(unit))
        )
    return {
        "coalition": coalition,
        "pm": pm,
        "viewer": viewer,
        "expected": expected,
        "baselines": baselines,
    }


def _metric_fields(ws):
    """(field, column or None) of every metric answer of a worksheet."""
    for f in ws.fields:
        if f.type == "metric":
            yield f, None
        if f.type == "table":
            for c in f.columns:
                if c.type == "metric":
                    yield f, c


def _answers(ws, variables: list[str]) -> list[dict]:
    """Answers naming the variables: every one in each multiple answer and table, the single
    answers one variable per answer."""
    out = []
    for variable in variables:
        record = {}
        for f, column in _metric_fields(ws):
            if column is None:
                record[f.key] = variables if f.multiple else variable
            elif f.fixed_rows:
                record[f.key] = {r.key: {column.key: variable} for r in f.fixed_rows}
            else:
                record[f.key] = [{column.key: v} for v in variables][: f.max_rows or None]
        out.append({"records": [record]} if ws.repeats else record)
    return out


def _worksheets():
    return [ws for ws in definitions.worksheets() if any(_metric_fields(ws))]


def test_every_unit_shows_on_every_worksheet_that_names_a_metric(client, world):
    coalition, expected = world["coalition"], world["expected"]
    variables = list(expected)
    assert _worksheets(), "no worksheet names a metric"
    for ws in _worksheets():
        for data in _answers(ws, variables):
            WorksheetResponse.objects.update_or_create(
                coalition=coalition, worksheet_key=ws.key, owner=None, defaults={"data": data}
            )
            single = next(
                (
                    v
                    for v in variables
                    if v
                    == (data.get("records") or [data])[0].get(
                        next(f.key for f, c in _metric_fields(ws)), None
                    )
                ),
                None,
            )
            for member in (world["pm"], world["viewer"]):
                client.force_login(member.user)
                page = client.get(reverse("plans:worksheet", args=[coalition.pk, ws.key]))
                assert page.status_code == 200, (ws.key, member.role)
                html = page.content.decode()
                if single:
                    assert expected[single].replace("&", "&amp;") in html, (ws.key, single)
            for fmt in ("csv", "json"):
                url = reverse("plans:worksheet_export", args=[coalition.pk, ws.key, fmt])
                assert client.get(url).status_code == 200, (ws.key, fmt)


def test_every_unit_shows_in_measures_goals_and_the_plan(client, world):
    coalition, pm = world["coalition"], world["pm"]
    area = map_services.priority_area_save(actor=pm, name="Area", pillar="rewarding-work")
    elements = {"input": "Staff", "output": "Classes", "outcome_short": "Skills"}
    variables = list(world["expected"])
    for i in range(0, len(variables), len(elements)):
        map_services.strategic_action_save(
            actor=pm, fields={"title": f"Action {i}", "priority_area": area}, elements=elements
        )
    for measure, variable in zip(coalition.measures.all(), variables, strict=False):
        measure.metric_variable = variable
        measure.baseline = "40"
        measure.target = "45"
        measure.save()
    goals = []
    for variable in variables:
        other = map_services.priority_area_save(actor=pm, name=variable, pillar="rewarding-work")
        goals.append(
            map_services.headline_goal_save(
                actor=pm,
                priority_area=other,
                metric_variable=variable,
                target=20,
                target_date=dt.date(2030, 12, 31),
            )
        )
    client.force_login(pm.user)
    pk = coalition.pk
    urls = [
        reverse("map:measures", args=[pk]),
        reverse("map:coverage", args=[pk]),
        reverse("map:strategy", args=[pk]),
        reverse("map:preview_public", args=[pk]),
        *[reverse("map:measure_edit", args=[pk, m.pk]) for m in coalition.measures.all()],
        *[reverse("map:goal_edit", args=[pk, g.priority_area_id, g.pk]) for g in goals],
        *[reverse("map:section", args=[pk, s.key]) for s in definitions.map_sections()],
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("map:measures", args=[pk])).content.decode()
    for variable, text in world["baselines"].items():
        if coalition.measures.filter(metric_variable=variable).exists():
            assert text.replace("&", "&amp;") in page, variable

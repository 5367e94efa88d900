"""Headline goals and the implementation table in the plan: blocks, charts, PDF."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import translation

from metrics.models import CoalitionPeer, Metric
from plans.map import charting, pdf, services
from plans.map.document import build_document
from tests.factories import GeographyFactory
from tests.map.test_goals import observe

pytestmark = pytest.mark.django_db

D = dt.date


def _plan(pm, coalition):
    observe(
        coalition,
        values={2017: 0.68, 2018: 0.69, 2019: 0.70, 2021: 0.71, 2023: 0.72},
        subgroups={"Hispanic": {2019: 0.61, 2021: 0.62, 2023: 0.63}},
    )
    jobs = services.priority_area_save(actor=pm, name="Good jobs", pillar="rewarding-work")
    homes = services.priority_area_save(actor=pm, name="Homes people can afford")
    services.headline_goal_save(
        actor=pm,
        priority_area=jobs,
        metric_variable="share_employed",
        target="75%",
        target_date=D(2030, 12, 31),
        subgroup="Hispanic",
        gap_target="-3",
        note="Set with the workforce board.",
    )
    services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Community land trust",
            "priority_area": homes,
            "lead_organisation": "Housing Authority",
            "partners": "Habitat for Humanity, First Bank",
            "start_date": D(2027, 3, 1),
            "end_date": D(2029, 6, 30),
            "estimated_cost": Decimal("1250000"),
            "funding_source": "County housing fund",
            "funding_status": "requested",
            "decision_asked": "Transfer ten vacant lots to the trust",
        },
        elements={"input": "Staff"},
        milestones=[
            {"title": "Trust incorporated", "due_date": D(2027, 6, 30)},
            {"title": "First homes open", "due_date": D(2028, 5, 1)},
        ],
    )
    services.strategic_action_save(
        actor=pm,
        fields={"title": "Apprenticeships", "priority_area": jobs},
        elements={"input": "Staff"},
    )
    return jobs, homes


def _section(document, key):
    return next(s for s in document["sections"] if s["key"] == key)


def _tables(section, key):
    return [b for b in section["blocks"] if b["type"] == "table" and b["key"] == key]


def test_goals_and_the_implementation_table_are_in_the_strategic_actions_section(coalition, pm):
    _plan(pm, coalition)
    document = build_document(coalition, audience="public")
    m7 = _section(document, "M7")
    goals = _tables(m7, "goals")
    assert len(goals) == 1 and goals[0]["caption"] == "Headline goals of Good jobs"
    row = goals[0]["rows"][0]
    label = Metric.objects.get(variable="share_employed").label
    assert row[0] == f"{label} [1]"  # with the note on where the numbers come from
    assert "Source: Urban Institute" in document["footnotes"][0]["text"]
    assert row[1:] == [
        "72.0% (2023)",
        "75.0% by December 31, 2030",
        "Hispanic: a gap of \u22123 percentage points to everyone by December 31, 2030",
    ]
    implementation = _tables(m7, "implementation")
    # The apprenticeships have nothing but a title: only the land trust's area has a table.
    assert [t["caption"] for t in implementation] == ["Implementation of Homes people can afford"]
    table = implementation[0]
    assert table["rows"][0] == [
        "Community land trust",
        "Housing Authority",
        "Habitat for Humanity, First Bank",
        "From March 1, 2027 to June 30, 2029",
        "June 30, 2027: Trust incorporated\nMay 1, 2028: First homes open",
        "$1,250,000",
        "Requested: County housing fund",
        "Transfer ten vacant lots to the trust",
    ]
    assert table["numeric"][table["headers"].index("Estimated cost")] is True
    kinds = [b["spec"]["kind"] for b in m7["blocks"] if b["type"] == "chart"]
    assert kinds == ["goal", "gap"]
    order = [b.get("key") or b["type"] for b in m7["blocks"]]
    assert order.index("priorities") < order.index("goals") < order.index("logic_model")
    assert order.index("logic_model") < order.index("implementation")


def test_the_goal_chart_has_the_series_the_median_and_the_target(coalition, pm):
    _plan(pm, coalition)
    document = build_document(coalition, audience="public")
    specs = [b["spec"] for b in _section(document, "M7")["blocks"] if b["type"] == "chart"]
    goal, gap = (charting.draw(s) for s in specs)
    assert "National median" in goal.svg and "Target 2030: 75.0%" in goal.svg
    assert "The goal is 75.0% by 2030, from 72.0% in 2023." in goal.summary
    assert "above the national median" in goal.summary
    assert goal.table.rows[-1][:2] == ("2030", "Target: 75.0%")
    assert "The gap target is \u22123 percentage points by 2030." in gap.summary


def test_with_peers_the_goal_is_compared_with_their_median(coalition, pm):
    from metrics import models as m

    jobs, _homes = _plan(pm, coalition)
    release = m.Release.objects.get(is_active=True)
    metric = m.Metric.objects.get(variable="share_employed")
    everyone = m.Subgroup.objects.get(subgroup_type="all")
    for i, value in enumerate((0.60, 0.64, 0.80)):
        place = GeographyFactory(fips=f"0100{i}", kind=coalition.geography.kind)
        CoalitionPeer.objects.create(coalition=coalition, geography=place)
        m.Observation.objects.create(
            release=release,
            geography=place,
            metric=metric,
            subgroup=everyone,
            year=2023,
            value=value,
        )
    spec = next(
        b["spec"]
        for b in _section(build_document(coalition), "M7")["blocks"]
        if b["type"] == "chart"
    )
    assert spec["benchmark_label"] == "Median of the peers"
    assert spec["benchmark"] == {"2023": pytest.approx(0.64)}


def test_the_pdf_prints_goals_and_implementation(coalition, pm, tmp_path):
    from tests.map.test_pdf import pdf_text

    _plan(pm, coalition)
    with translation.override("en"):
        version = services.map_version_freeze(actor=pm, override_reason="A test plan.")
        data, _pages = pdf.document_pdf(version.document)
    if os.environ.get("GOALS_PDF"):
        with open(os.environ["GOALS_PDF"], "wb") as fh:
            fh.write(data)
    text = " ".join(pdf_text(data, tmp_path).split())
    for words in (  # short enough not to wrap inside a table cell
        "Headline goals of Good jobs",
        "(2023)",
        "75.0% by December 31,",
        "Target 2030: 75.0%",
        "Target 2030: −3 pts",
        "$1,250,000",
        "Requested: County",
        "Transfer ten vacant lots",
        "June 30, 2027: Trust",
        "Implementation of Homes people can afford",
    ):
        assert words in text, words
    assert "requested" not in text.replace("Requested", "")


def test_spanish_plan_formats_goal_numbers_in_spanish(coalition, pm):
    _plan(pm, coalition)
    with translation.override("es"):
        document = build_document(coalition, audience="public")
    row = _tables(_section(document, "M7"), "goals")[0]["rows"][0]
    assert row[1].startswith("72.0\u00a0%")


def test_a_goal_on_local_data_is_charted_without_a_median(coalition, pm):
    from core.models import JobStatus
    from metrics import models as m

    area = services.priority_area_save(actor=pm, name="Stable homes")
    dataset = m.LocalDataset.objects.create(
        coalition=coalition,
        predictor=m.Predictor.objects.first(),
        name="Evictions filed",
        unit="count",
        file="x.csv",
        original_name="x.csv",
        status=JobStatus.SUCCEEDED,
    )
    for year, value in ((2021, 1500), (2022, 1420), (2023, 1390)):
        m.LocalValue.objects.create(
            dataset=dataset, area=coalition.geography.name, year=year, value=value
        )
    services.headline_goal_save(
        actor=pm,
        priority_area=area,
        local_dataset=dataset,
        target="1,000",
        target_date=D(2028, 6, 30),
    )
    document = build_document(coalition, audience="public")
    m7 = _section(document, "M7")
    row = _tables(m7, "goals")[0]["rows"][0]
    assert row[:3] == ["Evictions filed [1]", "1,390 (2023)", "1,000 by June 30, 2028"]
    assert "local data collected by the coalition" in document["footnotes"][0]["text"]
    spec = next(b["spec"] for b in m7["blocks"] if b["type"] == "chart")
    assert spec["benchmark"] == {}
    chart = charting.draw(spec)
    assert "The goal is 1,000 by 2028, from 1,390 in 2023." in chart.summary
    dataset.delete()
    document = build_document(coalition, audience="public")
    m7 = _section(document, "M7")
    assert _tables(m7, "goals")[0]["rows"][0][1] == "1,390 (2023)"
    assert not [b for b in m7["blocks"] if b["type"] == "chart"]

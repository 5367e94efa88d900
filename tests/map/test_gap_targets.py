"""Gap targets and pinned gaps in the MAP: the group's own series, the findings section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from metrics.models import Geography, Metric
from metrics.profiles import selectors as profile_selectors
from metrics.profiles import services as profile_services
from plans.map import metric_data, services
from plans.map.charting import document_charts
from plans.map.document import build_document
from plans.map.pdf import render_html
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_disparities import COUNTY_FILES, load

pytestmark = pytest.mark.django_db
VARIABLE = "share_poverty_exposure"


@pytest.fixture
def pm(db):
    load(*COUNTY_FILES)
    boone = Geography.objects.get(fips="29019")
    return MembershipFactory(coalition=CoalitionFactory(geography=boone), role=Role.PROJECT_MANAGER)


def _gap_measure(pm, group="black"):
    services.strategic_action_save(
        actor=pm, fields={"title": "Fair housing"}, elements={"outcome_long": "Less exposure"}
    )
    return services.measure_save(
        measure=pm.coalition.measures.get(),
        actor=pm,
        fields={"metric_variable": VARIABLE, "gap_subgroup": group, "gap_reduction_percent": 50},
    )


def test_a_gap_target_shows_the_groups_and_the_wholes_baseline(pm):
    _gap_measure(pm)
    gap = metric_data.gap_baseline_for(pm.coalition, VARIABLE, "black")
    assert gap is not None and gap.group == "Black"  # matched whatever the case
    assert gap.breakdown == "Race and ethnicity"
    years = {p["year"] for p in gap.group_series}
    assert gap.year in years and gap.year in {p["year"] for p in gap.whole_series}
    document = build_document(pm.coalition)
    row = document["measures"][0]
    assert row["gap_baseline"]["group"] == "Black"
    assert row["gap_baseline"]["value"] == gap.value_text
    charts = [c for c in document["charts"] if c.get("kind") == "gap"]
    assert charts and charts[0]["group"] == "Black"
    drawn = document_charts(document)
    assert any("Black" in c.summary for c in drawn)
    html = render_html(document)
    assert f"Baseline {gap.year}: Black" in html


def test_an_unknown_group_has_no_gap_baseline(pm):
    _gap_measure(pm, group="Martians")
    assert metric_data.gap_baseline_for(pm.coalition, VARIABLE, "Martians") is None
    assert build_document(pm.coalition)["measures"][0]["gap_baseline"] is None


def test_the_measures_page_shows_the_gap_baseline(client, pm):
    _gap_measure(pm)
    client.force_login(pm.user)
    page = client.get(reverse("map:measures", args=[pm.coalition.pk])).content.decode()
    assert "Baseline" in page and "Black" in page and "everyone" in page


def test_pinned_gaps_reach_the_findings_section(client, pm):
    gap = profile_selectors.geography_disparities(pm.coalition.geography).gaps[0]
    profile_services.metric_note_add(
        actor=pm,
        metric=gap.metric,
        text="Worth a listening session",
        step=5,
        subgroup_type=gap.subgroup_type,
        subgroup=gap.group,
    )
    # A plain note is not a gap: it stays out of the findings.
    profile_services.metric_note_add(
        actor=pm, metric=Metric.objects.get(variable=VARIABLE), text="plain"
    )
    document = build_document(pm.coalition)
    assert [g["note"] for g in document["gaps"]] == ["Worth a listening session"]
    assert gap.value_text in document["gaps"][0]["finding"]
    m4 = next(s for s in document["sections"] if s["key"] == "M4")
    assert not m4["empty"]
    client.force_login(pm.user)
    page = client.get(reverse("map:section", args=[pm.coalition.pk, "M4"])).content.decode()
    assert "Gaps the coalition pinned" in page and "Worth a listening session" in page
    assert "Worth a listening session" in render_html(document)


def test_another_coalitions_pinned_gaps_stay_out(pm):
    other = MembershipFactory(coalition=CoalitionFactory(geography=pm.coalition.geography))
    gap = profile_selectors.geography_disparities(pm.coalition.geography).gaps[0]
    profile_services.metric_note_add(
        actor=other,
        metric=gap.metric,
        text="theirs",
        subgroup_type=gap.subgroup_type,
        subgroup=gap.group,
    )
    assert build_document(pm.coalition)["gaps"] == []

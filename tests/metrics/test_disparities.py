"""The disparities page: every group's gap to the whole, pinned gaps, the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from metrics.models import Geography, Metric, MetricNote, Release
from metrics.profiles import selectors, services
from metrics.profiles.disparities import sort_key
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_import import fixture, run_import

pytestmark = pytest.mark.django_db

BOONE = "29019"
COUNTY_FILES = (
    "county_2025_boone_sample.csv",
    "county_race_ethnicity_2025_sample.csv",
    "county_race_share_2025_sample.csv",
)


def load(*names: str) -> Release:
    for name in names:
        job = run_import(fixture(name), name=name)
        assert job.status == "succeeded", job.message
    release = Release.objects.get(name="2025")
    Release.objects.filter(pk=release.pk).update(is_active=True)
    return release


@pytest.fixture
def boone(db):
    load(*COUNTY_FILES)
    return Geography.objects.get(fips=BOONE)


@pytest.fixture
def member(boone):
    return MembershipFactory(coalition=CoalitionFactory(geography=boone), role=Role.MEMBER)


def test_gaps_are_measured_against_the_breakdowns_own_total(boone):
    data = selectors.geography_disparities(boone)
    assert data.gaps, "Boone County has race-ethnicity values"
    poverty = [g for g in data.gaps if g.metric.variable == "share_poverty_exposure"]
    assert {g.subgroup_type for g in poverty} == {"race-ethnicity"}
    assert all(g.whole.number is not None for g in poverty)
    # Every gap's year is the latest one both the group and the total have.
    assert max(g.year for g in poverty) == 2023 or max(g.year for g in poverty) >= 2021
    assert data.gaps == sorted(data.gaps, key=sort_key)
    sizes = [g.size for g in data.gaps if g.worse and g.size is not None]
    assert sizes == sorted(sizes, reverse=True)
    variables = {m.variable for m in data.not_disaggregated}
    assert "pctl_income_50" in variables  # the partial 12_ file has no income by race
    assert "share_poverty_exposure" not in variables


def test_direction_decides_who_is_worse_off(boone):
    for gap in selectors.geography_disparities(boone).gaps:
        if gap.metric.direction == "lower" and gap.value.number != gap.whole.number:
            assert gap.worse == (gap.value.number > gap.whole.number)
        if gap.metric.direction == "higher" and gap.value.number != gap.whole.number:
            assert gap.worse == (gap.value.number < gap.whole.number)


def test_the_page_lists_gaps_and_missing_breakdowns(client, member):
    client.force_login(member.user)
    url = reverse("profiles:disparities", args=[member.coalition.pk])
    page = client.get(url).content.decode()
    assert "Disparities in Boone County, Missouri" in page
    assert "Largest gaps" in page
    assert "Not disaggregated for this place" in page
    assert "Step 5.3" in page
    assert "as a share of everyone&#x27;s value" in page or "share of everyone" in page
    assert "Pin as a note" in page


def test_a_member_pins_a_gap_and_it_feeds_the_step_worksheets(client, member):
    gap = selectors.geography_disparities(member.coalition.geography).gaps[0]
    client.force_login(member.user)
    url = reverse("profiles:disparities", args=[member.coalition.pk])
    form = client.get(url, {"pin": gap.key}).content.decode()
    assert gap.metric.label in form and "Pin the gap" in form
    response = client.post(url, {"gap": gap.key, "text": "A real gap", "step": 5})
    assert response.status_code == 302
    note = MetricNote.objects.get(coalition=member.coalition)
    assert (note.metric, note.subgroup_type, note.subgroup, note.step) == (
        gap.metric,
        gap.subgroup_type,
        gap.group,
        5,
    )
    assert list(selectors.gap_notes(member.coalition)) == [note]
    assert "A real gap" in client.get(url).content.decode()


def test_an_unknown_gap_is_refused(client, member):
    client.force_login(member.user)
    url = reverse("profiles:disparities", args=[member.coalition.pk])
    client.post(url, {"gap": "share_poverty_exposure:race-ethnicity:Martians", "text": "x"})
    assert not MetricNote.objects.exists()


def test_a_viewer_cannot_pin(client, boone):
    viewer = MembershipFactory(coalition=CoalitionFactory(geography=boone), role=Role.VIEWER)
    gap = selectors.geography_disparities(boone).gaps[0]
    client.force_login(viewer.user)
    url = reverse("profiles:disparities", args=[viewer.coalition.pk])
    assert client.post(url, {"gap": gap.key, "text": "x", "step": 2}).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.metric_note_add(
            actor=viewer, metric=gap.metric, text="x", subgroup_type="race-ethnicity", subgroup="A"
        )


def test_a_gap_names_breakdown_and_group_together(member):
    metric = Metric.objects.get(variable="share_poverty_exposure")
    with pytest.raises(services.ValidationError):
        services.metric_note_add(actor=member, metric=metric, text="x", subgroup="Black")


def test_gap_notes_ignore_other_coalitions(member):
    metric = Metric.objects.get(variable="share_poverty_exposure")
    other = MembershipFactory(coalition=CoalitionFactory(geography=member.coalition.geography))
    services.metric_note_add(
        actor=other, metric=metric, text="theirs", subgroup_type="race-ethnicity", subgroup="Black"
    )
    services.metric_note_add(actor=member, metric=metric, text="plain note")
    assert list(selectors.gap_notes(member.coalition)) == []


def test_the_api_gives_the_same_gaps(api_client, member):
    api_client.force_login(member.user)
    body = api_client.get(
        reverse("api:profile-disparities", kwargs={"coalition_pk": member.coalition.pk})
    ).json()
    data = selectors.geography_disparities(member.coalition.geography)
    assert body["release"] == "2025"
    assert [(g["variable"], g["subgroup"]) for g in body["gaps"]] == [
        (g.metric.variable, g.group) for g in data.gaps
    ]
    first = body["gaps"][0]
    assert {"size", "worse_off", "intervals_overlap", "overlap_text", "whole"} <= set(first)
    assert {
        "variable": "pctl_income_50",
        "label": Metric.objects.get(variable="pctl_income_50").label,
    } in body["not_disaggregated"]


def test_the_schema_describes_the_disparities(api_client, user):
    api_client.force_login(user)
    schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/coalitions/{coalition_pk}/profile/disparities/" in schema["paths"]


def test_counts_are_not_ranked_as_gaps(boone):
    data = selectors.geography_disparities(boone)
    assert not [g for g in data.gaps if g.metric.unit == "count"]
    # count_homeless still has values by group: it is not listed as missing its breakdown.
    assert "count_homeless" in {m.variable for m in data.disaggregated}


def test_the_page_speaks_spanish(client, member):
    client.force_login(member.user)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = client.get(reverse("profiles:disparities", args=[member.coalition.pk])).content.decode()
    assert "Disparidades en Boone County, Missouri" in page
    assert "Sin desglose para este lugar" in page
    assert "En peor situación" in page

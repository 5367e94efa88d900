"""A city's coalition sees its county's values beside its own, when its data lead chooses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind, Role
from metrics.models import Geography
from metrics.profiles import selectors, services
from metrics.profiles.counties import principal_county
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_disparities import load

pytestmark = pytest.mark.django_db
BIRMINGHAM, JEFFERSON, SHELBY = "0107000", "01073", "01117"


@pytest.fixture
def city(db):
    load("city_2025_sample.csv", "county_2025_boone_sample.csv")
    return Geography.objects.get(fips=BIRMINGHAM)


def lead(city, role=Role.DATA_LEAD):
    return MembershipFactory(coalition=CoalitionFactory(geography=city), role=role)


def test_the_principal_county_comes_from_the_shipped_crosswalk(city):
    link = principal_county(city)
    assert link is not None
    assert link.principal.fips == JEFFERSON  # Birmingham also reaches into Shelby County
    assert link.counties == 2
    assert principal_county(Geography.objects.get(fips=JEFFERSON)) is None


def test_the_data_lead_chooses_the_county_and_it_is_logged(city):
    actor = lead(city)
    county = Geography.objects.get(fips=JEFFERSON)
    services.coalition_county_comparison_set(actor=actor, county=county)
    actor.coalition.refresh_from_db()
    assert actor.coalition.comparison_county == county
    event = CoalitionEvent.objects.get(coalition=actor.coalition)
    assert event.kind == EventKind.COUNTY_COMPARISON and event.actor == actor.user
    assert event.details["label"] == county.full_name


def test_a_member_may_not_choose(city):
    with pytest.raises(PermissionDenied):
        services.coalition_county_comparison_set(
            actor=lead(city, Role.MANAGEMENT_TEAM), county=Geography.objects.get(fips=JEFFERSON)
        )


def test_only_a_county_of_the_same_state(city):
    with pytest.raises(ValidationError):
        services.coalition_county_comparison_set(
            actor=lead(city), county=Geography.objects.get(fips="29019")
        )
    county_coalition = lead(Geography.objects.get(fips="29019"))
    with pytest.raises(ValidationError):
        services.coalition_county_comparison_set(
            actor=county_coalition, county=Geography.objects.get(fips="29019")
        )


def test_profile_and_metric_pages_show_the_county_beside_the_city(client, city):
    actor = lead(city)
    client.force_login(actor.user)
    profile_url = reverse("profiles:profile", args=[actor.coalition.pk])
    page = client.get(profile_url).content.decode()
    assert "principal county" in page and "Jefferson County, Alabama" in page
    assert '<th scope="col">Jefferson County</th>' not in page  # not chosen yet
    county = Geography.objects.get(fips=JEFFERSON)
    response = client.post(
        reverse("profiles:county_comparison", args=[actor.coalition.pk]), {"county": county.pk}
    )
    assert response.status_code == 302
    page = client.get(profile_url).content.decode()
    assert '<th scope="col">Jefferson County</th>' in page
    actor.coalition.refresh_from_db()
    profile = selectors.geography_profile(city, coalition=actor.coalition)
    lines = [line for p in profile.pillars for b in p.predictors for line in b.lines]
    income = next(line for line in lines if line.metric.variable == "pctl_income_50")
    assert income.county is not None and income.county.latest is not None
    metric = client.get(
        reverse("profiles:metric", args=[actor.coalition.pk, "pctl_income_50"])
    ).content.decode()
    assert "Jefferson County, Alabama, for comparison" in metric
    assert "Jefferson County, Alabama, over the years" in metric
    # Stopping it: an empty choice.
    client.post(reverse("profiles:county_comparison", args=[actor.coalition.pk]), {"county": ""})
    actor.coalition.refresh_from_db()
    assert actor.coalition.comparison_county is None


def test_another_coalitions_choice_is_not_shown(client, city):
    chooser = lead(city)
    services.coalition_county_comparison_set(
        actor=chooser, county=Geography.objects.get(fips=JEFFERSON)
    )
    other = lead(city, Role.VIEWER)
    client.force_login(other.user)
    page = client.get(reverse("profiles:profile", args=[other.coalition.pk])).content.decode()
    assert '<th scope="col">Jefferson County</th>' not in page
    assert "Your data lead or project manager can show" in page

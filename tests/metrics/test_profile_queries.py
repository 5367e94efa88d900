"""The profile and peer pages cost a fixed number of queries, with the national file loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from metrics.models import CoalitionPeer, Geography, Release
from metrics.profiles.digest import release_digests_build
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_import import run_import

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "metrics" / "data" / "releases" / "2025"
MAX_QUERIES = 15


@pytest.fixture
def national(db):
    for name in (
        "11_mobility-metrics_county_longitudinal.csv.gz",
        "county_medians_year_suppressed.csv.gz",
    ):
        job = run_import((SHIPPED / name).read_bytes(), name=name)
        assert job.status == "succeeded", job.message
    release = Release.objects.get(name="2025")
    Release.objects.filter(pk=release.pk).update(is_active=True)
    release_digests_build(release=release)
    return release


def test_profile_and_peer_pages_use_a_fixed_number_of_queries(
    client, national, django_assert_max_num_queries
):
    home = Geography.objects.get(fips="35013")
    membership = MembershipFactory(coalition=CoalitionFactory(geography=home))
    for fips in ("35001", "04019", "48141", "06029", "04013"):
        CoalitionPeer.objects.create(
            coalition=membership.coalition, geography=Geography.objects.get(fips=fips)
        )
    client.force_login(membership.user)
    pages = [
        reverse("profiles:profile", args=[membership.coalition.pk]),
        reverse("profiles:profile", args=[membership.coalition.pk]) + "?weak=1",
        reverse("profiles:peers", args=[membership.coalition.pk]),
        reverse("profiles:metric", args=[membership.coalition.pk, "pctl_income_50"]),
    ]
    for url in pages:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(pages[2]).content.decode()
    assert "Similar: about" in page  # suggestions over every county

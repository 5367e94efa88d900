"""The profile, metric and disparities pages cost the same number of queries whatever is loaded.

Counted once with small cuts of the subgroup files and once with every shipped city subgroup
file (and a county shown beside the city), like tests/metrics/test_profile_queries.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import Role
from metrics.models import Geography, MetricNote
from metrics.profiles import selectors
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_disparities import load
from tests.metrics.test_import import run_import

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "metrics" / "data" / "releases" / "2025"
MAX_QUERIES = 15
AUBURN, LEE = "0103076", "01081"
SMALL = (
    "city_2025_sample.csv",
    "city_race_ethnicity_2025_sample.csv",
    "city_race_share_2025_sample.csv",
    "county_2025_boone_sample.csv",
    "county_race_ethnicity_2025_sample.csv",
    "county_race_share_2025_sample.csv",
)
LARGE = (
    "61_mobility-metrics_place_longitudinal.csv.gz",
    "62_mobility-metrics_place_race-ethnicity_longitudinal.csv.gz",
    "63_mobility-metrics_place_race-share_longitudinal.csv.gz",
)


def _counts(client, fips: str = AUBURN, county: str | None = LEE) -> dict[str, int]:
    city = Geography.objects.get(fips=fips)
    coalition = CoalitionFactory(
        geography=city,
        comparison_county=Geography.objects.get(fips=county) if county else None,
    )
    lead = MembershipFactory(coalition=coalition, role=Role.DATA_LEAD)
    gap = selectors.geography_disparities(city).gaps[0]
    MetricNote.objects.create(
        coalition=coalition,
        metric=gap.metric,
        author=lead.user,
        text="pinned",
        subgroup_type=gap.subgroup_type,
        subgroup=gap.group,
    )
    client.force_login(lead.user)
    client.get(reverse("coalitions:detail", args=[coalition.pk]))  # the session's one write
    pages = {
        "profile": reverse("profiles:profile", args=[coalition.pk]),
        "disparities": reverse("profiles:disparities", args=[coalition.pk]),
        "disparities, all": reverse("profiles:disparities", args=[coalition.pk]) + "?all=1",
        "metric": reverse("profiles:metric", args=[coalition.pk, "pctl_income_50"]),
    }
    counts = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    return counts


def test_queries_do_not_grow_with_the_subgroup_files(client):
    load(*SMALL)
    small = _counts(client)
    boone = _counts(client, "29019", None)
    for name in LARGE:
        job = run_import((SHIPPED / name).read_bytes(), name=name)
        assert job.status == "succeeded", job.message
    large = _counts(client)
    assert large == small
    assert _counts(client, "29019", None) == boone
    assert max(large.values()) <= MAX_QUERIES, large

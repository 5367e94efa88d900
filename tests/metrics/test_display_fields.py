"""The API's display fields and the profile page print each value as its unit reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrics.charts import format_value
from tests.metrics.test_profiles import loaded, member_client

pytestmark = pytest.mark.django_db
__all__ = ["loaded"]  # the fixture, imported for pytest


def test_profile_api_gives_each_value_as_text_in_the_readers_language(api_client, loaded):
    coalition = member_client(api_client, "35013")
    url = reverse("api:profile", kwargs={"coalition_pk": coalition.pk})
    rows = {r["variable"]: r for r in api_client.get(url, {"weak": "1"}).json()}
    income = rows["pctl_income_50"]
    assert income["latest_text"] == format_value(income["latest"]["value"], "dollars")
    assert income["latest_text"].startswith("$") and income["unit_label"] == "US dollars"
    assert income["national_median_text"].startswith("$")
    housing = rows["share_affordable_available_30_ami"]
    assert housing["unit_label"] == "Per 100 households"
    assert housing["latest_text"].endswith("per 100 households")
    assert float(housing["latest_text"].split()[0]) == pytest.approx(
        housing["latest"]["value"] * 100, abs=0.06
    )
    spanish = {
        r["variable"]: r
        for r in api_client.get(url, {"weak": "1"}, HTTP_ACCEPT_LANGUAGE="es").json()
    }
    assert spanish["share_affordable_available_30_ami"]["latest_text"].endswith(
        "por cada 100 hogares"
    )
    employed = spanish["share_employed"]["latest_text"]
    assert employed.endswith("\u00a0%") and "," not in employed


def test_observations_api_and_metric_list_carry_display_text(api_client, loaded, user):
    from metrics.models import Geography

    api_client.force_authenticate(user)
    data = api_client.get(reverse("api:metric-list")).json()
    metrics = {m["variable"]: m for m in data}
    assert metrics["ratio_population_pc_physician"]["unit_label"] == (
        "People per primary care physician"
    )
    dona_ana = Geography.objects.get(fips="35013")
    url = f"/api/geographies/{dona_ana.pk}/observations/"
    row = api_client.get(url, {"metric": "pctl_income_20", "year": 2014}).json()["results"][0]
    assert row["value_text"] == "$14,521"
    rows = api_client.get(url, {"metric": "ratio_white_nh_house_value_households"}).json()
    texts = [r["value_text"] for r in rows["results"] if r["value_a"] is not None]
    assert texts and all("of wealth" in t and "% of households" in t for t in texts)

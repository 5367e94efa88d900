"""Issue 13's journey: a county coalition (Boone County, MO) reads its data by race and ethnicity.

The profile opens the injury death rate with its race-ethnicity breakdown (intervals) and the
gap over time, the disparities page lists the largest gaps, the affordable-and-available
housing metric reads as the Urban Institute states it, and axe-core finds no serious or
critical problem on any of these pages.
"""

from __future__ import annotations

import pytest

from coalitions.models import Role
from metrics.models import Geography
from tests.browser.test_profile_journey import axe_problems, sign_in
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_disparities import COUNTY_FILES, load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # reference_data seeds what a flush removed
]


def test_boone_county_reads_its_race_ethnicity_data(
    page, live_server, password, artifacts_dir, reference_data
):
    load(*COUNTY_FILES)
    member = MembershipFactory(
        coalition=CoalitionFactory(geography=Geography.objects.get(fips="29019")),
        role=Role.MEMBER,
    )
    base = f"{live_server.url}/coalitions/{member.coalition.pk}/profile/"
    sign_in(page, live_server.url, member.user.email, password)

    page.goto(base + "rate_injury_death/")
    groups = page.locator("#groups-heading").locator("xpath=..")
    assert "95% confidence intervals" in groups.inner_text()
    assert groups.locator("h3").first.inner_text().strip()  # a breakdown is drawn
    assert groups.locator("svg").count() >= 1
    assert "publishes no breakdown" not in groups.inner_text()
    page.locator("#gap-1").select_option(index=1)
    page.get_by_role("button", name="Show", exact=True).first.click()
    page.wait_for_selector("text=Gap to everyone, over time")
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "boone-injury-deaths.png"), full_page=True)

    page.goto(base + "disparities/")
    assert "Disparities in Boone County, Missouri" in page.locator("h1").inner_text()
    assert page.locator("table.metric-table tbody tr").count() > 0
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "boone-disparities.png"), full_page=True)

    page.goto(base + "share_affordable_available_30_ami/")
    text = page.locator("main").inner_text()
    assert "per 100 households" in text
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "boone-housing.png"), full_page=True)

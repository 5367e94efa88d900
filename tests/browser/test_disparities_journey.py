"""A member opens Boone County's disparities page in Chromium, pins a gap, and axe passes."""

from __future__ import annotations

import pytest

from coalitions.models import Role
from metrics.models import Geography, MetricNote
from tests.browser.test_profile_journey import axe_problems, sign_in
from tests.browser.waiting import visible
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_disparities import COUNTY_FILES, load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # reference_data seeds what a flush removed
]


def test_disparities_page_pins_a_gap_and_passes_axe(
    page, live_server, password, artifacts_dir, reference_data
):
    load(*COUNTY_FILES, "city_2025_sample.csv")
    member = MembershipFactory(
        coalition=CoalitionFactory(geography=Geography.objects.get(fips="29019")),
        role=Role.MEMBER,
    )
    sign_in(page, live_server.url, member.user.email, password)
    page.goto(f"{live_server.url}/coalitions/{member.coalition.pk}/profile/")
    page.get_by_role("link", name="See the largest gaps between groups (disparities)").click()
    page.wait_for_selector("text=Largest gaps")
    assert (
        "Disparities in Boone County, Missouri" in page.get_by_role("heading", level=1).inner_text()
    )
    assert page.locator("table.metric-table tbody tr").count() > 0
    assert visible(page.get_by_role("heading", name="Not disaggregated for this place"))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "disparities.png"), full_page=True)

    page.get_by_role("link", name="Pin as a note").first.click()
    page.wait_for_selector("#pin-heading")
    assert axe_problems(page) == []
    page.get_by_label("For", exact=True).select_option("5")
    page.get_by_role("button", name="Pin the gap").click()
    page.wait_for_selector("text=The gap is pinned as a note.")
    note = MetricNote.objects.get(coalition=member.coalition)
    assert note.subgroup and note.step == 5
    assert axe_problems(page) == []

    # A city coalition's data lead shows the county beside the city.
    lead = MembershipFactory(
        user=member.user,
        coalition=CoalitionFactory(geography=Geography.objects.get(fips="0107000")),
        role=Role.DATA_LEAD,
    )
    page.goto(f"{live_server.url}/coalitions/{lead.coalition.pk}/profile/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=is now shown beside your city")
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "profile-with-county.png"), full_page=True)

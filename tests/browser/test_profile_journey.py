"""A member reads a real county's profile in Chromium: Weak toggle, subgroups, peers, axe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrics.models import Geography, Release
from metrics.profiles.digest import release_digests_build
from tests.browser.waiting import visible
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_import import fixture, run_import

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # reference_data seeds what a flush removed
]
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"


def load_sample() -> None:
    for name in (
        "county_2025_sample.csv",
        "county_medians_2025.csv",
        "city_2025_sample.csv",
        "city_race_ethnicity_2025_sample.csv",
    ):
        assert run_import(fixture(name), name=name).status == "succeeded"
    Release.objects.filter(name="2025").update(is_active=True)
    release_digests_build(release=Release.objects.get(name="2025"))


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    # not govern; a <script> tag would be refused, as it should be.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = json.loads(result)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1")


def test_profile_weak_toggle_subgroups_peers_and_axe(
    page, live_server, password, artifacts_dir, reference_data
):
    load_sample()
    county = MembershipFactory(
        coalition=CoalitionFactory(geography=Geography.objects.get(fips="02261"))
    )
    city = MembershipFactory(
        user=county.user,
        coalition=CoalitionFactory(geography=Geography.objects.get(fips="0103076")),
    )
    sign_in(page, live_server.url, county.user.email, password)

    # A real county's profile: Weak values hidden, then shown after the toggle.
    page.goto(f"{live_server.url}/coalitions/{county.coalition.pk}/profile/")
    assert "Valdez-Cordova Census Area, Alaska" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("Weak value hidden").count() > 0
    assert axe_problems(page) == []
    page.get_by_role("button", name="Show Weak values").click()
    page.wait_for_selector("text=Weak values are shown.")
    assert page.get_by_text("Weak value hidden").count() == 0
    page.screenshot(path=str(artifacts_dir / "profile-weak-shown.png"), full_page=True)

    # A subgroup view of a city metric, with a gap over time.
    page.goto(f"{live_server.url}/coalitions/{city.coalition.pk}/profile/pctl_income_20/?weak=1")
    assert page.locator("svg[role=img]").count() >= 2
    page.get_by_label("Show the gap over time for").first.select_option(index=1)
    page.get_by_role("button", name="Show", exact=True).first.click()
    page.wait_for_selector("text=Gap to everyone, over time")
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "metric-subgroups.png"), full_page=True)

    # Peers: add a suggested peer and compare.
    page.goto(f"{live_server.url}/coalitions/{city.coalition.pk}/profile/peers/")
    page.locator(".suggestions").get_by_role("button", name="Add").first.click()
    page.wait_for_selector("text=added to your comparison")
    assert visible(page.get_by_role("heading", name="Every metric"))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "peers.png"), full_page=True)

"""A member pastes a year of values from a spreadsheet into a measure, fixes the bad row the
page gives back, sees the status and chart; the dashboard says what a new release changed."""

import datetime as dt

import pytest

from coalitions.models import Membership
from metrics.models import Release
from plans.map.models import Measure
from plans.tracking.models import ReleaseChange
from tests.browser.waiting import visible
from tests.factories import CoalitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paste_values_fix_a_row_and_see_the_status(
    page, live_server, user, password, artifacts_dir
):
    coalition = CoalitionFactory(name="Riverside Mobility Coalition")
    Membership.objects.create(coalition=coalition, user=user, role="member")
    measure = Measure.objects.create(
        coalition=coalition,
        element_kind="outcome_short",
        element_text="More residents reach jobs by transit",
        action_title="Frequent bus network",
        measure="Share of residents within 30 minutes of jobs by transit",
        unit="share",
        baseline="40%",
        baseline_value=0.40,
        baseline_date=dt.date(2021, 12, 31),
        target="60%",
        target_value=0.60,
        target_date=dt.date(2030, 12, 31),
        frequency="annual",
        subgroups=["Black", "Hispanic"],
    )
    ReleaseChange.objects.create(
        coalition=coalition,
        release=Release.objects.create(name="2026"),
        items=[
            {
                "owner": "measure",
                "id": measure.pk,
                "label": measure.measure,
                "unit": "share",
                "subgroup": "",
                "period": "2023",
                "change": "revised",
                "old": 0.43,
                "new": 0.44,
                "old_quality": 1,
                "new_quality": 1,
            },
            {
                "owner": "measure",
                "id": measure.pk,
                "label": measure.measure,
                "unit": "share",
                "subgroup": "",
                "period": "2024",
                "change": "new",
                "old": None,
                "new": 0.47,
                "old_quality": None,
                "new_quality": 2,
            },
        ],
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/coalitions/{coalition.pk}/")
    assert page.get_by_role(
        "heading", name="What changed with the Mobility Metrics release 2026"
    ).is_visible()
    page.screenshot(path=str(artifacts_dir / "release-changes.png"), full_page=True)
    page.get_by_role("link", name=measure.measure).first.click()
    page.get_by_label("Rows from a spreadsheet").fill(
        "Year\tValue\tSubgroup\n2022\t41%\n2023\t44%\n2023\t35%\tBlack\n2024\tabout half\n"
    )
    page.get_by_role("button", name="Save the pasted rows").click()
    assert visible(page.get_by_text("3 values saved."))
    assert visible(page.get_by_text("Row 4:"))
    page.get_by_label("Rows from a spreadsheet").fill("2024\t47%")
    page.get_by_role("button", name="Save the pasted rows").click()
    assert visible(page.get_by_text("1 value saved."))
    assert visible(page.locator(".status-on_track").first)
    assert page.locator("figure.chart svg").count() == 1
    page.screenshot(path=str(artifacts_dir / "measure-values.png"), full_page=True)
    page.goto(f"{live_server.url}/coalitions/{coalition.pk}/plan/measures/")
    assert visible(page.get_by_text("47.0%"))
    page.screenshot(path=str(artifacts_dir / "measurement-plan-status.png"), full_page=True)

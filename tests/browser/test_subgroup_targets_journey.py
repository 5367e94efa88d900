"""A data lead sets a baseline and target for two subgroups of a measure, fixes the row the
page refuses (nothing saved until every row is right), and sees each subgroup's own status and
chart; the scorecard shows the subgroup's status next to everyone's."""

import datetime as dt

import pytest

from coalitions.models import Membership
from plans.map.models import ElementKind, LogicElement, Measure, PriorityArea, StrategicAction
from plans.tracking.models import SubgroupTarget
from tests.factories import CoalitionFactory
from tests.tracking.conftest import add_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_data_lead_sets_subgroup_targets_and_sees_their_status(
    page, live_server, user, password, artifacts_dir
):
    coalition = CoalitionFactory(name="Riverside Mobility Coalition")
    Membership.objects.create(coalition=coalition, user=user, role="data_lead")
    area = PriorityArea.objects.create(coalition=coalition, name="Access to jobs")
    action = StrategicAction.objects.create(
        coalition=coalition, priority_area=area, title="Frequent bus network"
    )
    element = LogicElement.objects.create(
        action=action, kind=ElementKind.OUTCOME_SHORT, text="More residents reach jobs by transit"
    )
    measure = Measure.objects.create(
        coalition=coalition,
        element=element,
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
    year = dt.date.today().year - 1
    for period, everyone, black, hispanic in (
        (year - 2, 0.42, 0.30, 0.26),
        (year - 1, 0.45, 0.36, 0.27),
        (year, 0.48, 0.41, 0.27),
    ):
        add_value(measure, str(period), everyone)
        add_value(measure, str(period), black, subgroup="Black")
        add_value(measure, str(period), hispanic, subgroup="Hispanic")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/coalitions/{coalition.pk}/tracking/measures/{measure.pk}/")
    page.get_by_label("Baseline: Black").fill("30%")
    page.get_by_label("Baseline date: Black").fill("2021")
    page.get_by_label("Target: Black").fill("50%")
    page.get_by_label("Target date: Black").fill("2030")
    page.get_by_label("Baseline: Hispanic").fill("25%")
    page.get_by_label("Baseline date: Hispanic").fill("2030")
    page.get_by_label("Target: Hispanic").fill("45%")
    page.get_by_label("Target date: Hispanic").fill("2021")
    page.get_by_role("button", name="Save the subgroups' baselines and targets").click()
    assert page.get_by_text("Nothing was saved").is_visible()
    assert page.get_by_text("must come after the baseline date").is_visible()
    assert not SubgroupTarget.objects.exists()
    page.get_by_label("Baseline date: Hispanic").fill("2021")
    page.get_by_label("Target date: Hispanic").fill("2030")
    page.get_by_role("button", name="Save the subgroups' baselines and targets").click()
    assert page.get_by_text("The subgroups' baselines and targets were saved.").is_visible()
    assert SubgroupTarget.objects.filter(measure=measure).count() == 2
    table = page.get_by_role("table", name="Status of each subgroup with its own target")
    assert table.get_by_text("On track").is_visible()  # Black
    assert table.get_by_text("Off track").is_visible()  # Hispanic
    assert page.locator("figure.chart svg").count() == 3  # everyone, Black, Hispanic
    page.screenshot(path=str(artifacts_dir / "subgroup-targets.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(artifacts_dir / "subgroup-targets-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{live_server.url}/coalitions/{coalition.pk}/implementation/")
    assert page.locator(".subgroup-statuses").get_by_text("Black:").is_visible()
    page.screenshot(path=str(artifacts_dir / "subgroup-targets-scorecard.png"), full_page=True)

"""A member types in a table for a while: one revision; the history shows the changed cell,
one revision's page shows the whole worksheet, and restoring it works."""

import re

import pytest

from coalitions.models import Role
from plans import selectors, services
from tests.browser.test_workspace import signed_in
from tests.browser.waiting import visible
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_pages_and_activity(browser, live_server, password, artifacts_dir):
    coalition = CoalitionFactory(name="Doña Ana Mobility")
    pat = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat")
    ann = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Ann Lee")
    seats = [
        {"seat": "District 1", "race_ethnicity": "hispanic"},
        {"seat": "District 2", "race_ethnicity": "white_nh"},
    ]
    services.worksheet_response_save(
        actor=pat,
        worksheet_key="w2_4",
        data={"body": "City Council", "seats": seats},
        base_version=0,
    )
    # Ann's three saves in a row (autosave) become one revision.
    for v, race in enumerate(["black_nh", "other_nh", "not_known"], start=1):
        changed = [seats[0], {**seats[1], "race_ethnicity": race}]
        services.worksheet_response_save(
            actor=ann, worksheet_key="w2_4", data={"seats": changed}, base_version=v
        )
    base = f"{live_server.url}/coalitions/{coalition.pk}"
    ctx, page = signed_in(browser, live_server.url, ann.user, password)
    page.goto(base + "/steps/")
    assert visible(page.get_by_text(re.compile(r"Ann Lee saved 2\.4 .* \(3 times\)")))
    page.screenshot(path=str(artifacts_dir / "activity-grouped.png"), full_page=True)

    page.goto(base + "/worksheets/w2_4/history/")
    assert visible(page.get_by_role("heading", name="Version 4 current"))
    assert page.get_by_text(
        "Members of the body › Row 2 › Race or ethnicity (self-identified)"
    ).is_visible()
    assert visible(page.get_by_text("Not known", exact=True))
    assert visible(page.get_by_text(re.compile("3 saves from")))
    page.screenshot(path=str(artifacts_dir / "history-compact.png"), full_page=True)

    page.get_by_role("link", name="See the whole worksheet as of version 1").click()
    assert visible(page.get_by_role("heading", name=re.compile("as of version 1")))
    assert visible(page.get_by_text("City Council").first)
    page.screenshot(path=str(artifacts_dir / "revision-page.png"), full_page=True)
    page.get_by_role("button", name="Restore version 1").click()
    assert visible(page.get_by_text("Version 1 is the current one again."))
    ctx.close()
    restored = selectors.shared_response(coalition, "w2_4")
    assert restored.data["seats"][1]["race_ethnicity"] == "white_nh"

"""Two members edit one worksheet at once; three members answer alone and the data lead compiles."""

import re

import pytest

from coalitions.models import Role
from plans import selectors
from tests.browser.waiting import visible
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, base, user, password, width=1100):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1")
    return context, page


def test_two_members_edit_the_same_worksheet_and_the_second_gets_the_conflict_screen(
    browser, live_server, password, artifacts_dir
):
    coalition = CoalitionFactory(name="Doña Ana Mobility")
    ann = MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee")
    bo = MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Bo Diaz")
    url = f"{live_server.url}/coalitions/{coalition.pk}/worksheets/w5_7/"
    ctx_a, a = signed_in(browser, live_server.url, ann.user, password)
    ctx_b, b = signed_in(browser, live_server.url, bo.user, password)
    a.goto(live_server.url + f"/coalitions/{coalition.pk}/steps/")
    a.screenshot(path=str(artifacts_dir / "steps-dashboard.png"), full_page=True)
    a.get_by_role("link", name=re.compile("Step 5:")).click()
    a.screenshot(path=str(artifacts_dir / "step-5.png"), full_page=True)
    a.get_by_role("link", name=re.compile("5.7 ")).click()
    b.goto(url)  # both pages now hold version 0
    question = re.compile("Our first account of the critical barriers")
    a.get_by_label(question).fill("Ann: transport is the main barrier.")
    a.get_by_text("Saved at").wait_for()
    a.screenshot(path=str(artifacts_dir / "worksheet-autosaved.png"), full_page=True)

    b.get_by_label(question).fill("Bo: childcare comes first.")
    b.get_by_text("someone else saved this worksheet").wait_for()
    b.screenshot(path=str(artifacts_dir / "worksheet-not-saved.png"), full_page=True)
    b.get_by_role("link", name="Compare the two versions").click()
    assert visible(b.get_by_text("Ann: transport is the main barrier.", exact=True))
    assert visible(b.get_by_text("Bo: childcare comes first.", exact=True))
    b.screenshot(path=str(artifacts_dir / "conflict-screen.png"), full_page=True)
    b.get_by_label("Combine them (edit below)").check()
    b.get_by_label("Combined text").fill("Transport and childcare are the main barriers.")
    b.get_by_role("button", name="Save my choices").click()
    assert visible(b.get_by_text("Both versions are kept in the history"))

    b.get_by_role("link", name="History").click()
    assert visible(b.get_by_text("Ann: transport is the main barrier.").first)
    assert b.get_by_text("Transport and childcare are the main barriers.").first.is_visible()
    assert visible(b.get_by_text("Merged after a conflict"))
    b.screenshot(path=str(artifacts_dir / "history.png"), full_page=True)
    ctx_a.close()
    ctx_b.close()
    saved = selectors.shared_response(coalition, "w5_7")
    assert saved.data["narrative"] == "Transport and childcare are the main barriers."
    assert saved.revisions.count() == 2


@pytest.mark.parametrize("mode", ["anonymized", "attributed"])
def test_three_members_answer_alone_and_the_data_lead_compiles(
    browser, live_server, password, artifacts_dir, mode
):
    coalition = CoalitionFactory(name="Doña Ana Mobility")
    lead = MembershipFactory(coalition=coalition, role=Role.DATA_LEAD, user__name="Dee Lead")
    members = [
        MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name=name)
        for name in ("Ann Lee", "Bo Diaz", "Cy Park")
    ]
    base = f"{live_server.url}/coalitions/{coalition.pk}"
    ctx, page = signed_in(browser, live_server.url, lead.user, password)
    page.goto(base + "/worksheets/w5_2/")
    choice = "Without names" if mode == "anonymized" else "With names"
    page.get_by_label("How will individual answers be shared?").select_option(label=choice)
    page.get_by_role("button", name="Save", exact=True).click()
    assert visible(page.get_by_text("Saved.", exact=True))
    ctx.close()

    for i, member in enumerate(members):
        ctx, page = signed_in(browser, live_server.url, member.user, password, width=390)
        page.goto(base + "/my-work/")
        page.get_by_role("link", name=re.compile("5.1 Mobility Metrics Data Review Guide")).click()
        # The click only waits for the navigation to start: wait for the worksheet itself.
        page.wait_for_url("**/worksheets/w5_1/")
        page.get_by_text(choice.lower()).first.wait_for(state="visible")
        page.get_by_label(re.compile("which could tell us most")).fill(f"Idea {i + 1}")
        page.get_by_text("Saved at").wait_for()
        if i == 0:
            page.screenshot(
                path=str(artifacts_dir / f"individual-phone-{mode}.png"), full_page=True
            )
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the worksheet is {width}px wide on a 390px screen"
        ctx.close()

    ctx, page = signed_in(browser, live_server.url, lead.user, password)
    page.goto(base + "/worksheets/w5_1/")
    page.get_by_role("link", name="Compile members' answers").click()
    page.get_by_text("Idea 1").wait_for(state="visible")
    for i in range(3):
        assert visible(page.get_by_text(f"Idea {i + 1}"))
    names_shown = [page.get_by_text(m.user.name).count() > 0 for m in members]
    assert all(names_shown) if mode == "attributed" else not any(names_shown)
    page.screenshot(path=str(artifacts_dir / f"compilation-{mode}.png"), full_page=True)
    page.get_by_label(re.compile("Idea 2")).check()
    page.get_by_label(re.compile("Copy the ticked points into")).select_option("candidate_sources")
    page.get_by_role("button", name="Copy the ticked points").click()
    assert visible(page.get_by_text("Copied 1 points into Worksheet 5.2"))
    ctx.close()
    data = selectors.shared_response(coalition, "w5_2").data
    assert data["candidate_sources"][0]["source"] == "Idea 2"


@pytest.mark.parametrize("key", ["w3_1", "w5_4", "w2_1", "w10_1"])
def test_worksheets_fit_a_phone_editable_and_read_only(
    browser, live_server, password, artifacts_dir, key
):
    from plans import definitions, services
    from tests.plans.helpers import sample_data, store_superseded, without_superseded

    coalition = CoalitionFactory(name="Doña Ana Mobility")
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat")
    viewer = MembershipFactory(coalition=coalition, role=Role.VIEWER, user__name="Vi")
    ws = definitions.worksheet(key)
    data = sample_data(ws, pm.pk)
    services.worksheet_response_save(
        worksheet_key=key,
        data=without_superseded(ws, data),
        base_version=0,
        actor=pm,
    )
    # W10.1's early wins table, written before early wins were records: read-only now.
    store_superseded(coalition, ws, data)
    url = f"{live_server.url}/coalitions/{coalition.pk}/worksheets/{key}/"
    for who, name in ((pm, "edit"), (viewer, "read")):
        ctx, page = signed_in(browser, live_server.url, who.user, password, width=390)
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts_dir / f"{key}-phone-{name}.png"), full_page=True)
        ctx.close()
        assert width <= 390, f"{key} ({name}) is {width}px wide on a 390px screen"


def test_workspace_pages_have_no_serious_accessibility_problems(
    browser, live_server, password, artifacts_dir
):
    from plans import definitions, services
    from tests.browser.test_profile_journey import axe_problems
    from tests.plans.helpers import sample_data

    coalition = CoalitionFactory(name="Doña Ana Mobility")
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat")
    member = MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee")
    services.worksheet_response_save(
        worksheet_key="w5_2",
        data={"sharing_mode": "anonymized"},
        base_version=0,
        actor=pm,
    )
    for key in ("w3_1", "w5_4", "w5_7"):
        services.worksheet_response_save(
            worksheet_key=key,
            data=sample_data(definitions.worksheet(key), pm.pk),
            base_version=0,
            actor=pm,
        )
    services.worksheet_response_save(
        worksheet_key="w5_1",
        data={"q5b_group_discussion": "Bus data"},
        base_version=0,
        actor=member,
        owner=member,
    )
    base = f"{live_server.url}/coalitions/{coalition.pk}"
    pages = [
        "/steps/",
        "/steps/3/",
        "/my-work/",
        "/readiness/",
        "/worksheets/w3_1/",
        "/worksheets/w5_4/",
        "/worksheets/w5_7/",
        "/worksheets/w5_7/?print=1",
        "/worksheets/w5_7/history/",
        "/worksheets/w5_1/compilation/",
        "/steps/5/assign/",
        "/notifications/",
    ]
    ctx, page = signed_in(browser, live_server.url, pm.user, password)
    problems = {}
    for path in pages:
        page.goto(base + path)
        found = axe_problems(page)
        if found:
            problems[path] = found
    ctx.close()
    assert not problems, problems

"""Carry out a frozen plan: tick a milestone, mark an action stalled, read the scorecard,
export a progress report as PDF, publish the scorecard, read it signed out.

Chromium drives the pages; the export runs through Celery (eager in tests, on commit).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from coalitions.models import Role
from plans.map import services as map_services
from tests.browser.test_invite_journey import sign_in
from tests.browser.test_profile_journey import axe_problems
from tests.browser.waiting import visible
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _frozen_plan(pm):
    area = map_services.priority_area_save(actor=pm, name="Jobs", pillar="rewarding-work")
    map_services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Living wage ordinance",
            "priority_area": area,
            "lead_organisation": "City Workforce Office",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2028, 12, 31),
        },
        elements={"output": "Ordinance adopted"},
        milestones=[
            {"title": "Draft ordinance", "due_date": dt.date(2025, 6, 30)},
            {"title": "Council vote", "due_date": dt.date(2027, 3, 31)},
        ],
    )
    map_services.strategic_action_save(
        actor=pm, fields={"title": "Night buses", "priority_area": area}, elements={}
    )
    map_services.map_version_freeze(actor=pm, override_reason="The council reads it Monday.")


def test_track_report_and_publish(browser, live_server, password, artifacts_dir, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Doña Ana Mobility")
    coalition = pm.coalition
    _frozen_plan(pm)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, pm.user.email, password)

    # Tick a milestone from the action's page, reached from the scorecard.
    page.goto(f"{base}/coalitions/{coalition.pk}/implementation/")
    page.get_by_role("link", name="Living wage ordinance").click()
    row = page.get_by_role("row").filter(has_text="Draft ordinance")
    row.get_by_role("button", name="Mark done").click()
    assert visible(page.get_by_text("“Draft ordinance” is marked done."))
    page.screenshot(path=str(artifacts_dir / "tracking-action.png"), full_page=True)
    assert axe_problems(page) == []

    # Mark the other action stalled: first without a reason (refused), then with one.
    page.goto(f"{base}/coalitions/{coalition.pk}/implementation/")
    page.get_by_role("link", name="Night buses").click()
    page.get_by_role("combobox", name="Status").select_option("stalled")
    page.get_by_role("button", name="Save the status").click()
    assert visible(page.get_by_text("Say why the action is stalled."))
    page.get_by_label("Why (needed when stalled or dropped; internal unless published)").fill(
        "No drivers to hire"
    )
    page.get_by_role("button", name="Save the status").click()
    assert visible(page.get_by_text("The status is saved."))

    # The scorecard shows both statuses, and filters without JavaScript (a GET form).
    page.goto(f"{base}/coalitions/{coalition.pk}/implementation/")
    assert visible(page.get_by_text("Milestones: 1 of 2 done."))
    assert visible(page.locator(".badge.impl-stalled").first)
    page.screenshot(path=str(artifacts_dir / "tracking-scorecard.png"), full_page=True)
    assert axe_problems(page) == []
    page.get_by_role("combobox", name="Status").select_option("stalled")
    page.get_by_role("button", name="Filter").click()
    assert visible(page.get_by_role("link", name="Night buses"))
    assert page.get_by_role("link", name="Living wage ordinance").count() == 0

    # A progress report as PDF, made by the export job.
    page.get_by_role("link", name="Progress reports").first.click()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_role("button", name="Make the report").click()
    link = page.get_by_role("link", name="Download PDF").first
    link.wait_for()
    page.screenshot(path=str(artifacts_dir / "tracking-reports.png"), full_page=True)
    with page.expect_download() as info:
        link.click()
    pdf_path = tmp_path / "report.pdf"
    info.value.save_as(pdf_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "What stalled" in text and "Night buses" in text and "Council vote" in text
    assert "No drivers to hire" not in text  # reasons only when a project manager chooses

    # Publish the scorecard; a signed-out visitor reads it, without internal reasons.
    page.goto(f"{base}/coalitions/{coalition.pk}/implementation/")
    page.get_by_role("button", name="Publish the scorecard").click()
    assert visible(page.get_by_text("The scorecard is public."))
    public_url = page.get_by_role("link", name="Open the public scorecard").get_attribute("href")
    visitor = browser.new_context().new_page()
    visitor.goto(base + str(public_url))
    assert visible(visitor.get_by_role("heading", name="Night buses"))
    assert visible(visitor.get_by_text("Stalled").first)
    assert visitor.get_by_text("No drivers to hire").count() == 0
    assert visitor.get_by_text(pm.user.name).count() == 0
    visitor.screenshot(path=str(artifacts_dir / "tracking-public.png"), full_page=True)
    context.close()

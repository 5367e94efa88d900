"""Draft a small MAP from filled worksheets, get it approved, export it, read the PDF, publish.

Chromium drives the pages; the export runs through Celery (eager in tests, on commit).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from coalitions.models import Role
from plans import definitions
from plans.map.models import MapVersion, TheoryOfChange
from plans.models import WorksheetResponse
from tests.browser.test_invite_journey import sign_in
from tests.browser.test_profile_journey import axe_problems
from tests.browser.waiting import visible
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = (
    "To address the many jobs that pay too little to live on, we will campaign for a local "
    "living wage, which will lead to more jobs that pay a living wage and, in the long term, "
    "to families who are more secure."
)


def _fill_worksheets(coalition):
    answers = {
        "w7_1": {
            "priorities": [
                {
                    "pillar": "rewarding-work",
                    "predictor": "access-to-jobs-paying-a-living-wage",
                    "rationale": "Wages lag the cost of living",
                    "selected": "yes",
                }
            ]
        },
        "w7_2": {"final": "Every resident of Doña Ana can build a good life here."},
        "w7_3": {
            "records": [
                {
                    "problem": "many jobs pay too little to live on",
                    "solution": "campaign for a local living wage",
                    "impact_medium": "more jobs pay a living wage",
                    "impact_long": "families are more secure",
                }
            ]
        },
        "w7_4": {
            "records": [
                {
                    "strategic_action": "Pass a living wage ordinance",
                    "priority_predictor": "access-to-jobs-paying-a-living-wage",
                    "inputs": "Two policy staff",
                    "outputs": "Draft ordinance",
                    "outcomes_long": "Higher household incomes",
                }
            ]
        },
        "w8_3": {"accountability": "The coalition reviews progress every quarter."},
    }
    for key, data in answers.items():
        definitions.worksheet(key)  # the key exists
        WorksheetResponse.objects.create(
            coalition=coalition, worksheet_key=key, data=data, version=1, status="complete"
        )


def _metric_with_data(coalition):
    """One Mobility Metric with two years for the coalition (the test database starts empty)."""
    from metrics import models as m

    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "Work"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "Jobs", "pillar": pillar}
    )[0]
    metric = m.Metric.objects.get_or_create(
        variable="share_employed",
        defaults={
            "label": "Share of adults employed",
            "unit": "share",
            "direction": "higher",
            "predictor": predictor,
        },
    )[0]
    release = m.Release.objects.create(name="2025-test", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    for year, value in ((2021, 0.71), (2023, 0.74)):
        m.Observation.objects.create(
            release=release,
            geography=coalition.geography,
            metric=metric,
            subgroup=everyone,
            year=year,
            value=value,
            quality=1,
        )
    return metric


def test_draft_approve_export_and_publish(browser, live_server, password, artifacts_dir, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Doña Ana Mobility")
    reviewer = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    coalition = pm.coalition
    _fill_worksheets(coalition)
    metric = _metric_with_data(coalition)
    base = live_server.url
    # bypass_csp: axe-core is injected as a script, which the strict policy refuses.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, pm.user.email, password)

    # Draft: strategy from the worksheets, then a narrative and a measure.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/strategy/")
    page.get_by_role("button", name="Fill in from Worksheets 7.1–7.4 and 8.1").click()
    assert visible(page.get_by_text("Pass a living wage ordinance").first)
    assert axe_problems(page) == []
    assert visible(page.get_by_text("Every resident of Doña Ana can build a good life here."))
    # The theory of change came from the worksheet: rephrase its parts, watching the sentence.
    theory = TheoryOfChange.objects.get(coalition=coalition)
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/strategy/theories/{theory.pk}/")
    page.get_by_label("The problem: what must change?").fill(
        "Low-income workers cannot live on what many jobs pay."
    )
    warning = page.get_by_text("The problem reads as a whole sentence.")
    warning.wait_for()
    page.screenshot(path=str(artifacts_dir / "map-theory-warning.png"), full_page=True)
    page.get_by_label("The problem: what must change?").fill(
        "the many jobs that pay too little to live on"
    )
    page.get_by_label("The result in the medium term").fill("more jobs that pay a living wage")
    page.get_by_label("The result in the long term").fill("families who are more secure")
    page.get_by_text(SENTENCE).wait_for()
    assert not warning.is_visible()
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "map-theory.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    assert visible(page.get_by_text("Theory of change saved."))
    assert visible(page.get_by_text(SENTENCE))
    page.get_by_role("link", name="Measurement plan").click()
    assert axe_problems(page) == []
    page.get_by_role("link", name="Edit Two policy staff").click()
    assert axe_problems(page) == []
    page.get_by_label("Measure of progress").fill("Staff hours spent on the ordinance")
    page.get_by_label("Data source").fill("Timesheets")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit Higher household incomes").click()
    page.get_by_label("Measure of progress").fill("Adults in work")
    page.get_by_label("Mobility Metric").select_option(metric.variable)
    page.get_by_role("button", name="Save").click()
    assert visible(page.get_by_text("74.0% (2023, quality: Strong, 2025-test)"))
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/sections/M1/")
    page.get_by_label("Narrative").fill("We planned **together** for a year.")
    page.get_by_role("button", name="Save").click()
    assert visible(page.get_by_text("Section saved."))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "map-section.png"), full_page=True)

    # Review: the project manager asks, the reviewer approves.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="Ask members to review").click()
    page.get_by_label(re.compile(reviewer.user.name or reviewer.user.email)).check()
    page.get_by_role("button", name="Save").click()
    assert visible(page.get_by_text("Review requested."))
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, reviewer.user.email, password)
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="You are asked to review the plan.").click()
    page.get_by_label("Approved", exact=True).check()
    page.get_by_role("button", name="Record my decision").click()
    assert visible(page.get_by_text("Your decision is recorded."))
    page.get_by_role("button", name="Sign out").click()

    # Freeze, export, download and read the PDF.
    sign_in(page, base, pm.user.email, password)
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="Freeze a version now").click()
    # The check comes first: the measures still lack targets and owners.
    assert visible(page.get_by_role("heading", name="Check before freezing"))
    measures = "Measures without a baseline, a target or an owner"
    assert visible(page.get_by_role("heading", name=measures))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "map-check.png"), full_page=True)
    page.get_by_role("button", name="Freeze version 1").click()
    refused = "Say why this version should be frozen despite the check."
    assert visible(page.get_by_text(refused))
    page.get_by_label("Why freeze this version anyway?").fill("The council reads it on Monday.")
    page.get_by_role("button", name="Freeze version 1").click()
    assert visible(page.get_by_text("Every section was approved when it was frozen."))
    assert visible(page.get_by_text("The council reads it on Monday."))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "map-version.png"), full_page=True)
    page.get_by_role("button", name="Export this version").click()
    link = page.get_by_role("link", name="Download PDF").first
    link.wait_for()
    page.screenshot(path=str(artifacts_dir / "map-plan.png"), full_page=True)
    assert axe_problems(page) == []
    with page.expect_download() as info:
        link.click()
    pdf_path = tmp_path / "plan.pdf"
    info.value.save_as(pdf_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The frozen plan is the public one: sections with nothing in them are left out.
    frozen = MapVersion.objects.get(coalition=coalition)
    # The front matter (M0) prints after the cover without its section title.
    titles = [s["title"] for s in frozen.document["sections"] if "front" not in s["shows"]]
    assert titles and len(titles) < len(definitions.map_sections())
    body = text[text.index(titles[-1]) + len(titles[-1]) :]
    positions = [body.find(t) for t in titles]
    assert -1 not in positions and positions == sorted(positions)
    assert "Pass a living wage ordinance" in text and "Staff hours spent" in text
    assert SENTENCE in " ".join(text.split())
    assert "The council reads it on Monday." not in text
    assert not re.search(r"Status:?\s+Draft", text)
    assert "We planned together for a year." in text
    assert "Review and approval" in text and "Approved" in text
    # the baseline from the metrics, footnoted with source, release, year and quality
    assert "74.0% (2023)" in text and "[1]" in text
    assert "Notes on the numbers" in text
    note = " ".join(text.split())
    assert f"{metric.label}. Source: Urban Institute" in note
    assert "release 2025-test; year 2023; data quality: Strong." in note

    # Publish: the public page shows this version only.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="Version 1").first.click()
    assert axe_problems(page) == []
    page.get_by_role("button", name="Publish this version").click()
    public_url = page.locator("a[href*='/published-plans/']").first.get_attribute("href")
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/sections/M1/")
    page.get_by_label("Narrative").fill("A later draft nobody approved.")
    page.get_by_role("button", name="Save").click()
    context.close()

    anonymous = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    public = anonymous.new_page()
    public.goto(base + public_url)
    assert public.get_by_role("heading", level=1).inner_text().endswith("Mobility Action Plan")
    assert visible(public.get_by_text("We planned together for a year."))
    assert public.get_by_text("A later draft nobody approved.").count() == 0
    assert visible(public.get_by_text(SENTENCE))
    assert public.get_by_text("The council reads it on Monday.").count() == 0
    assert visible(public.get_by_role("link", name="Download the plan (PDF)"))
    public.screenshot(path=str(artifacts_dir / "map-public.png"), full_page=True)
    assert axe_problems(public) == []
    public.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    assert "/accounts/login/" in public.url
    anonymous.close()


def test_the_theory_of_change_preview_works_under_the_content_security_policy(
    browser, live_server, password
):
    pm = MembershipFactory(role=Role.PROJECT_MANAGER)
    coalition = pm.coalition
    context = browser.new_context(viewport={"width": 1100, "height": 900})  # CSP enforced
    page = context.new_page()
    page.set_default_timeout(20000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server.url, pm.user.email, password)
    page.goto(f"{live_server.url}/coalitions/{coalition.pk}/plan/strategy/theories/new/")
    page.get_by_label("The problem: what must change?").fill("Renters cannot find homes.")
    page.get_by_label("The strategies: what will we do?").fill("build homes")
    page.get_by_text("The problem reads as a whole sentence.").wait_for()
    joined = "Renters cannot find homes. To address this, we will build homes."
    assert visible(page.get_by_text(joined))
    assert refused == []
    context.close()

"""A bilingual coalition: the project manager adds Spanish as the plan's second language, writes
a section in both languages side by side, and a resident reads the published plan in Spanish
through the language switcher at the same public link."""

from __future__ import annotations

import pytest

from coalitions.models import Role
from core.models import JobStatus
from plans.map import services as map_services
from plans.map.models import MapVersion, PlanExport
from tests.browser.test_invite_journey import sign_in
from tests.browser.waiting import visible
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EN = "Every family in the county can build wealth."
ES = "Cada familia del condado puede crear riqueza."


def test_a_section_in_two_languages_and_the_public_page_in_spanish(
    browser, live_server, password, artifacts_dir, reference_data
):
    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Bilingual Mobility")
    coalition = pm.coalition
    base = live_server.url
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, pm.user.email, password)

    page.goto(f"{base}/coalitions/{coalition.pk}/plan/cover/")
    page.get_by_label("Second language of the plan").select_option("es")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("The cover and front matter are saved.").is_visible()

    page.goto(f"{base}/coalitions/{coalition.pk}/plan/sections/M1/")
    page.get_by_label("Narrative in English").fill(EN)
    page.get_by_label("Narrative in Spanish").fill(ES)
    page.screenshot(path=str(artifacts_dir / "bilingual-section-editor.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    assert visible(page.get_by_text("Section saved."))
    assert page.get_by_label("Narrative in Spanish").input_value() == ES

    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_label("Language of the file").select_option("both")
    page.locator("#exports-h").locator("..").screenshot(
        path=str(artifacts_dir / "bilingual-export-form.png")
    )

    version = map_services.map_version_freeze(actor=pm, override_reason="A first look.")
    MapVersion.objects.filter(pk=version.pk).update(approved=True)
    version.refresh_from_db()
    PlanExport.objects.create(coalition=coalition, version=version, status=JobStatus.SUCCEEDED)
    map_services.map_version_publish(version=version, actor=pm)
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{base}{version.public_path}")
    assert visible(page.get_by_text(EN))
    page.get_by_role("link", name="Español").click()
    assert page.url.endswith("?lang=es")
    assert page.get_by_text(ES).is_visible() and page.get_by_text(EN).count() == 0
    assert page.locator("html").get_attribute("lang") == "es"
    page.screenshot(path=str(artifacts_dir / "bilingual-public-page-es.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    assert visible(page.get_by_text(EN))
    context.close()

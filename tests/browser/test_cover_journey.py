"""The project manager sets the plan's cover: a bad logo is refused at the field, a good one kept;
a member names their organisation; the summary is exported as Word from the plan page."""

from __future__ import annotations

import io

import docx
import pytest

from coalitions.models import Role
from plans.map import services as map_services
from plans.map.models import PlanExport, PlanSettings
from tests.browser.test_invite_journey import sign_in
from tests.browser.test_profile_journey import axe_problems
from tests.browser.waiting import visible
from tests.factories import MembershipFactory
from tests.map.helpers import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cover_logo_partners_and_a_word_summary(
    browser, live_server, password, artifacts_dir, tmp_path
):
    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Boone Mobility")
    member = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    coalition = pm.coalition
    # A summary needs something decided to summarise; who is in the coalition comes with it.
    map_services.vision_save(actor=pm, statement="Everyone in Boone County can thrive.")
    base = live_server.url
    # bypass_csp: axe-core is injected as a script tag, which the site's CSP (rightly) refuses.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20000)

    # A member names their organisation on their own details page.
    sign_in(page, base, member.user.email, password)
    page.goto(f"{base}/coalitions/{coalition.pk}/members/{member.pk}/")
    page.get_by_role("textbox", name="Organization").fill("Boone Food Bank")
    page.get_by_label("List the organization among the partners in the published plan").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, pm.user.email, password)
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="Set the cover: logo, partners, page size and language").click()
    assert visible(page.get_by_text("Boone Food Bank").first)
    bad, good = tmp_path / "logo.png", tmp_path / "real.png"
    bad.write_bytes(b"this is not a picture")
    good.write_bytes(png_bytes(400, 160))
    page.get_by_label("Coalition logo").set_input_files(str(bad))
    page.get_by_label("Acknowledgements").fill("We thank the residents of Boone County.")
    page.get_by_label("Page size").select_option("a4")
    page.get_by_role("button", name="Save", exact=True).click()
    assert visible(page.get_by_text("This file is not an image we can use"))
    assert not PlanSettings.objects.filter(coalition=coalition).exists()
    page.get_by_label("Coalition logo").set_input_files(str(good))
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("The cover and front matter are saved.").is_visible()
    assert visible(page.locator("img.logo-preview"))
    assert axe_problems(page) == []
    page.screenshot(path=str(artifacts_dir / "map-cover.png"), full_page=True)

    # The executive summary as a Word file, from the plan page.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_label("What").select_option("summary")
    page.get_by_label("Format").select_option("docx")
    page.get_by_role("button", name="Make the file").click()
    link = page.get_by_role("link", name="Download Word file").first
    link.wait_for()
    assert axe_problems(page) == []
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "summary.docx"
    info.value.save_as(path)
    word = docx.Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Boone Food Bank" in text and "Who is in the coalition" in text
    assert "Everyone in Boone County can thrive." in text
    assert PlanExport.objects.get(coalition=coalition).kind == "summary"
    context.close()

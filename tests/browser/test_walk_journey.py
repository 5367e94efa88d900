"""A data walk end to end on a 360 px phone screen.

A data lead builds a five-station walk in English and Spanish, makes the Spanish posters, three
residents without accounts answer through the link (one in Spanish), the data lead approves two
answers and rejects one, and a chosen quote and theme reach the Step 5 worksheet and the MAP
draft's findings section.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from coalitions.models import Role
from tests.browser.test_invite_journey import sign_in
from tests.browser.test_profile_journey import axe_problems
from tests.browser.waiting import visible
from tests.factories import MembershipFactory
from tests.walks.conftest import METRICS, observe
from walks.models import Answer, DataWalk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}


def _resident(browser, base, link, artifacts_dir, name, *, spanish, answer, about=None):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(link)
    if spanish:
        page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == ("es" if spanish else "en")
    page.locator("a.walk-go").click()
    # The optional questions about the resident, asked once.
    if about:
        page.locator(about[0]).select_option(about[1])
        page.locator("button[name=save]").click()
    else:
        page.locator("button[name=skip]").click()
    assert "/1/" in page.url
    page.screenshot(path=str(artifacts_dir / f"walk-{name}-station.png"), full_page=True)
    assert axe_problems(page) == []
    page.locator("textarea").first.fill(answer)
    page.locator("input[type=radio]").first.check()
    page.locator("form.walk-form button[type=submit]").click()
    assert "/2/" in page.url and "sent=1" in page.url
    assert visible(page.locator(".walk-sent"))
    page.screenshot(path=str(artifacts_dir / f"walk-{name}-sent.png"), full_page=True)
    context.close()


def test_data_walk_from_posters_to_the_plan(
    browser, live_server, password, artifacts_dir, tmp_path
):
    lead = MembershipFactory(role=Role.DATA_LEAD, coalition__name="Doña Ana Mobility")
    coalition = lead.coalition
    observe(coalition)
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, lead.user.email, password)

    # Build the walk in English and Spanish.
    page.goto(f"{base}/coalitions/{coalition.pk}/walks/")
    page.get_by_role("link", name="Plan a data walk").click()
    page.get_by_label("Title in English").fill("Our county in numbers")
    page.get_by_label("Title in Spanish").fill("Nuestro condado en números")
    page.get_by_label("How answers are used, in English").fill(
        "The coalition reads every answer; approved answers shape the plan. No names are kept."
    )
    page.get_by_label("How answers are used, in Spanish").fill(
        "La coalición lee cada respuesta; las aprobadas dan forma al plan. No guardamos nombres."
    )
    page.get_by_label("Age", exact=True).check()
    page.get_by_label("Race and ethnicity").check()
    page.get_by_role("button", name="Save").click()
    assert visible(page.get_by_text("The walk is made."))

    # A metric with only Weak values is refused, with the reason.
    page.get_by_role("link", name="Add a station").click()
    page.get_by_label("Metric").select_option("walk_weak")
    page.get_by_label("Caption in English").fill("Too uncertain.")
    page.get_by_role("button", name="Save the station").click()
    assert visible(page.get_by_text("every year is missing or rated Weak"))
    for variable, label, _unit, _years in METRICS[:5]:
        if "/stations/new/" not in page.url:
            page.get_by_role("link", name="Add a station").click()
        page.get_by_label("Metric").select_option(variable)
        page.get_by_label("Caption in English").fill(f"{label}: what it means for families here.")
        page.get_by_label("Caption in Spanish").fill(
            f"{label}: lo que significa para las familias."
        )
        page.get_by_role("button", name="Save the station").click()
        assert visible(page.get_by_text("Station saved."))
    walk = DataWalk.objects.get(coalition=coalition)
    assert walk.stations.count() == 5
    assert walk.stations.get(position=1).questions_es[0] == "¿Qué le sorprende?"
    page.get_by_role("button", name="Open the link").click()
    assert visible(page.get_by_text("The link is open to residents."))
    page.screenshot(path=str(artifacts_dir / "walk-builder.png"), full_page=True)
    assert axe_problems(page) == []

    # Posters in Spanish: the export job runs (eagerly here) and the PDF has 5 A3 pages.
    page.locator("#poster-language").select_option("es")
    page.get_by_role("button", name="Make the posters").click()
    page.reload()
    link = page.get_by_role("link", name="Download the PDF (5 pages)")
    with page.expect_download() as info:
        link.click()
    pdf = tmp_path / "posters.pdf"
    info.value.save_as(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(pdf), str(artifacts_dir / "walk-poster")],
            check=True,
        )
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Qué le sorprende" in text and "Estación 5 de 5" in text
        # The short link (pdftotext may drop a hyphen where the link wraps).
        assert "/1/?lang=es" in text and walk.token.replace("-", "")[:6] in text.replace("-", "")
    public_link = f"{base}/w/{walk.token}/"
    context.close()

    # Three residents without accounts; the second reads and answers in Spanish.
    _resident(
        browser,
        public_link,
        public_link,
        artifacts_dir,
        "ana",
        spanish=False,
        answer="The night buses stop too early for shift workers.",
    )
    _resident(
        browser,
        public_link,
        public_link,
        artifacts_dir,
        "luis",
        spanish=True,
        answer="Los autobuses nocturnos terminan demasiado temprano.",
        about=("#id_age_band", "25_34"),
    )
    _resident(
        browser,
        public_link,
        public_link,
        artifacts_dir,
        "spam",
        spanish=False,
        answer="<b>click here</b> win a prize",
    )
    assert Answer.objects.exclude(text="").count() == 3
    spanish = Answer.objects.get(text__startswith="Los autobuses")
    assert spanish.language == "es" and spanish.participant.age_band == "25_34"

    # The data lead approves two answers and rejects one.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, lead.user.email, password)
    page.goto(f"{base}/coalitions/{coalition.pk}/walks/{walk.pk}/moderation/")
    assert visible(page.get_by_text("<b>click here</b> win a prize"))  # shown as text
    for words, decision in (
        ("The night buses", "Approve"),
        ("Los autobuses", "Approve"),
        ("click here", "Reject"),
    ):
        row = page.locator("li.moderation-item", has_text=words)
        row.get_by_role("button", name=decision).click()
    assert Answer.objects.filter(status="approved").exclude(text="").count() == 2
    assert Answer.objects.get(text__contains="click here").status == "rejected"
    page.screenshot(path=str(artifacts_dir / "walk-moderation.png"), full_page=True)

    # Tag a theme, choose a quote, send them to the plan.
    page.goto(f"{base}/coalitions/{coalition.pk}/walks/{walk.pk}/results/")
    answer = page.locator("article.walk-answer", has_text="The night buses")
    answer.get_by_label("Themes (separate with commas)").fill("Night transit")
    answer.get_by_label("Use as a quote").check()
    answer.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Send chosen themes and quotes to the plan").click()
    assert visible(page.get_by_text("Sent to the plan."))
    page.screenshot(path=str(artifacts_dir / "walk-results.png"), full_page=True)
    assert axe_problems(page) == []

    quote = "The night buses stop too early for shift workers."
    page.goto(f"{base}/coalitions/{coalition.pk}/worksheets/w5_2/")
    html = page.content()
    assert quote in html and "Night transit" in html
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/sections/M4/")
    assert visible(page.get_by_text(quote).first)
    assert visible(page.get_by_text("Night transit").first)
    page.screenshot(path=str(artifacts_dir / "walk-map-section.png"), full_page=True)
    context.close()

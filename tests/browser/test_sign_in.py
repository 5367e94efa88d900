"""A person signs in with Chromium and sees the home page."""

import pytest

from tests.browser.waiting import visible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_see_home(page, live_server, user, password, artifacts_dir):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Welcome,")
    assert visible(page.get_by_role("navigation", name="Main"))
    page.screenshot(path=str(artifacts_dir / "home-signed-in.png"), full_page=True)
    # The skip link is the first stop of the keyboard and leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"


def test_home_fits_a_phone(browser, live_server, user, password, artifacts_dir):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(artifacts_dir / "home-phone.png"), full_page=True)
    context.close()
    assert width <= 375, f"page is {width}px wide on a 375px screen"

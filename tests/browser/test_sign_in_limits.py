"""After too many wrong passwords the sign-in page says to wait, and how long."""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lock_out_message_is_shown_at_the_form(page, live_server, user, artifacts_dir):
    attempts, window = settings.THROTTLE_LIMITS["signin-account"]
    page.goto(live_server.url + "/accounts/login/")
    for _ in range(attempts):
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("not my password")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("still guessing")
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    alert = page.get_by_role("alert")
    assert "Too many failed sign-in attempts" in alert.inner_text()
    assert f"try again in {window // 60} minutes" in alert.inner_text()
    page.screenshot(path=str(artifacts_dir / "sign-in-locked.png"), full_page=True)

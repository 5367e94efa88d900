"""A person makes an API token on their account page, copies it, then revokes it."""

import pytest
from django.test import Client

from tests.browser.waiting import visible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_make_and_revoke_a_token(page, live_server, user, password, artifacts_dir):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Nightly export script")
    page.get_by_role("button", name="Make a token").click()
    key = page.get_by_label("Key").input_value()
    assert key.startswith("map_")
    page.screenshot(path=str(artifacts_dir / "token-made.png"), full_page=True)
    api = Client()
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    page.goto(live_server.url + "/accounts/tokens/")
    assert key not in page.content()
    assert visible(page.get_by_role("row", name="Nightly export script"))
    page.get_by_role("button", name="Revoke Nightly export script").click()
    assert visible(page.get_by_text("The token is revoked"))
    page.screenshot(path=str(artifacts_dir / "token-revoked.png"), full_page=True)
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

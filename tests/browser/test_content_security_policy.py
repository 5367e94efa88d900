"""Every main page under the strict Content-Security-Policy, in Chromium: no violation.

The pages come from the route matrices (tests/test_routes.py and the coalition matrix):
every GET route a project manager who is also staff may open, public pages, the API docs,
the admin and a published plan. Chromium reports each refused inline script or style on
the console; one such report fails the test.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from tests.coalitions.test_access_matrix import WEB, _url, world  # noqa: F401 - a fixture
from tests.test_routes import SITE_ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTRA = ["/admin/", "/admin/accounts/user/", "/admin/accounts/apitoken/", "/api/docs/"]


def _listen(page) -> list[str]:
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def _sign_in(page, live_server, user) -> None:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "accounts.backends.EmailBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )


def _pages(objects: dict) -> list[str]:
    site = [
        reverse(name, kwargs=route.kwargs)
        for name, route in sorted(SITE_ROUTES.items())
        if route.method == "get" and route.kind in ("public", "login", "staff")
    ]
    coalition = [
        _url(name, keys, objects)
        for name, (method, _minimum, keys) in sorted(WEB.items())
        if method == "get"
    ]
    return site + coalition + EXTRA


def test_the_listener_sees_a_violation(page, live_server):
    """The check can fail: a page with an inline script and style is reported."""
    violations = _listen(page)
    url = live_server.url + "/csp-control/"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'"},
            body="<p style='color:red'>x</p><script>document.title='ran'</script>",
        ),
    )
    page.goto(url)
    assert page.title() != "ran"
    assert len(violations) >= 2, violations


def test_main_pages_have_no_policy_violation(
    page,
    live_server,
    reference_data,
    world,  # noqa: F811 - the fixture imported above
    artifacts_dir,
):
    manager = world["people"]["project_manager"]
    manager.is_staff = manager.is_superuser = True
    manager.save()
    version = world["version"]
    version.approved, version.published_at = True, timezone.now()
    version.save()
    violations = _listen(page)
    # Signed out: public pages and the published plan.
    for path in ["/", "/accounts/login/", "/accounts/signup/", version.public_path]:
        page.goto(live_server.url + path)
    _sign_in(page, live_server, manager)
    visited = []
    for path in [*_pages(world), version.public_path]:
        try:
            response = page.goto(live_server.url + path)
        except PlaywrightError as exc:  # a file to download (CSV, PDF) is not a page
            assert "Download is starting" in str(exc), exc
            continue
        assert response is not None
        visited.append((path, response.status))
        assert response.headers.get("content-security-policy", "").startswith("default-src")
        if not response.headers.get("content-type", "").startswith("text/html"):
            # An image shown on its own (the plan's logo) is laid out by Chromium's viewer,
            # whose own inline styles the policy refuses: nothing of ours runs there.
            violations[:] = [v for v in violations if not v.startswith(live_server.url + path)]
    # What moved from inline styles to the stylesheet still looks right.
    page.goto(live_server.url + reverse("plans:steps", args=[world["coalition"].pk]))
    assert page.locator("svg.progress rect").first.bounding_box() is not None
    page.screenshot(path=str(artifacts_dir / "csp-steps.png"), full_page=True)
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    page.screenshot(path=str(artifacts_dir / "csp-api-docs.png"))
    # An autosave swaps the server's answer in with htmx.
    page.goto(live_server.url + reverse("plans:worksheet", args=[world["coalition"].pk, "w5_7"]))
    with page.expect_response(lambda r: "autosave" in r.url):
        page.locator("form[data-autosave] textarea").first.fill("Our vision, saved by htmx")
    page.wait_for_timeout(300)
    assert len(visited) > 60
    assert sum(1 for _path, status in visited if status == 200) > 55, visited
    assert not violations, "\n".join(violations)

"""Every URL of the project is classified, and each class behaves as the matrix says.

A route that nobody classified makes `test_every_route_is_classified` fail, so new
features cannot ship an unchecked URL. The apps classify their own routes in their matrix
modules (`tests/coalitions/test_access_matrix.py`, `tests/metrics/test_local_data.py`), each
exposing a `ROUTES` dict that `MATRICES` below reads; those modules check coalition routes
per role.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.coalitions import test_access_matrix
from tests.factories import StaffFactory, UserFactory
from tests.implementation import test_access as implementation_access
from tests.metrics import test_local_data
from tests.plans import test_history
from tests.routes import Route, iter_routes
from tests.tracking import test_access as tracking_access
from tests.walks import test_access as walks_access

# Public pages anyone may open, pages that need a signed-in person, staff pages, the API.
ROUTES: dict[str, Route] = {
    "core:home": Route("public"),
    "core:healthz": Route("public"),
    "core:diagnostics": Route("staff"),
    "core:diagnostics_start": Route("staff", method="post"),
    "core:diagnostics_job": Route("staff", kwargs={"pk": 1}),
    "accounts:login": Route("public"),
    "accounts:logout": Route("public", method="post"),
    "accounts:signup": Route("public"),
    "accounts:resend_verification": Route("public"),
    "accounts:verify": Route("public", kwargs={"token": "x"}),
    "accounts:profile": Route("login"),
    "accounts:tokens": Route("login"),
    # Someone else's token (or none) is 404; own tokens: tests/accounts/test_tokens.py.
    "accounts:token_revoke": Route("login-own", kwargs={"pk": 1}, method="post"),
    "accounts:password_change": Route("login"),
    "accounts:password_change_done": Route("login"),
    "accounts:password_reset": Route("public"),
    "accounts:password_reset_done": Route("public"),
    "accounts:password_reset_confirm": Route("public", kwargs={"uidb64": "x", "token": "y"}),
    "accounts:password_reset_complete": Route("public"),
    "set_language": Route("public", method="post"),
    "notifications:preferences": Route("login"),
    # A bad token is a 400 page; a good one: tests/notifications/test_unsubscribe.py.
    "notifications:unsubscribe": Route("public", kwargs={"token": "x"}),
    "api:notification-preferences": Route("api"),
    "api:auth-token": Route("api-public", method="post"),
    "api:me": Route("api"),
    "api:token-list": Route("api"),
    "api:token-detail": Route("api-own", kwargs={"pk": 1}, method="delete"),
    "api:schema": Route("api-public"),
    "api:docs": Route("api-public"),
    "metrics:import_list": Route("staff"),
    "metrics:import_detail": Route("staff", kwargs={"pk": 1}),
    "metrics:import_progress": Route("staff", kwargs={"pk": 1}),
    "metrics:import_retry": Route("staff", kwargs={"pk": 1}, method="post"),
    "metrics:import_errors": Route("staff", kwargs={"pk": 1}),
    "metrics:release_activate": Route("staff", kwargs={"pk": 1}, method="post"),
    "api:metric-list": Route("api"),
    "api:geography-list": Route("api"),
    "api:geography-observations": Route("api", kwargs={"pk": 1}),
    "api:metric-import-list": Route("api-staff"),
    "api:metric-import-detail": Route("api-staff", kwargs={"pk": 1}),
    "api:metric-import-retry": Route("api-staff", kwargs={"pk": 1}, method="post"),
}
# Django's admin checks staff status itself; every admin URL is covered by this prefix.
PREFIX_KINDS = {"admin:": "admin"}
# Each app classifies its own routes in its access-matrix module, read here by name.
MATRICES: dict[str, dict[str, Route]] = {
    "tests/test_routes.py": ROUTES,
    "tests/coalitions/test_access_matrix.py": test_access_matrix.ROUTES,
    "tests/metrics/test_local_data.py": test_local_data.ROUTES,
    "tests/plans/test_history.py": test_history.ROUTES,
    "tests/walks/test_access.py": walks_access.ROUTES,
    "tests/implementation/test_access.py": implementation_access.ROUTES,
    "tests/tracking/test_access.py": tracking_access.ROUTES,
}


def all_classified() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for matrix in MATRICES.values():
        routes.update(matrix)
    return routes


def classify(name: str, routes: dict[str, Route]) -> str | None:
    if name in routes:
        return routes[name].kind
    for prefix, kind in PREFIX_KINDS.items():
        if name.startswith(prefix):
            return kind
    return None


def unclassified(routes: dict[str, Route]) -> list[str]:
    return [
        f"{name} ({pattern})" for name, pattern in iter_routes() if classify(name, routes) is None
    ]


def test_every_route_is_classified():
    missing = unclassified(all_classified())
    assert not missing, "Classify these routes in the access matrix:\n" + "\n".join(missing)


def test_a_route_left_out_of_every_matrix_is_reported():
    routes = all_classified()
    del routes["coalitions:invitation_bulk"]
    assert [m for m in unclassified(routes) if m.startswith("coalitions:invitation_bulk ")]


def test_no_route_is_classified_twice():
    seen: dict[str, str] = {}
    twice = []
    for module, matrix in MATRICES.items():
        for name in matrix:
            if name in seen:
                twice.append(f"{name}: {seen[name]} and {module}")
            seen[name] = module
    assert not twice, twice


def test_every_classified_route_exists():
    names = {name for name, _pattern in iter_routes()}
    assert not set(all_classified()) - names


def _request(client, route: Route, name: str):
    return getattr(client, route.method)(reverse(name, kwargs=route.kwargs))


SITE_ROUTES = {n: r for n, r in all_classified().items() if r.kind != "coalition"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SITE_ROUTES))
def test_matrix_for_site_routes(client, name):
    route = SITE_ROUTES[name]
    anonymous = _request(client, route, name)
    plain = UserFactory()
    staff = StaffFactory()
    if route.kind == "login":
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        client.force_login(plain)
        assert _request(client, route, name).status_code == 200
    elif route.kind in ("login-own", "api-own"):  # a person's own object; others' are 404
        if route.kind == "api-own":
            assert anonymous.status_code == 401
        else:
            assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        client.force_login(plain)
        assert _request(client, route, name).status_code == 404
    elif route.kind == "staff":
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        client.force_login(plain)
        assert _request(client, route, name).status_code == 403
        client.force_login(staff)
        assert _request(client, route, name).status_code in (200, 302, 404)
    elif route.kind == "api":
        assert anonymous.status_code == 401
        client.force_login(plain)
        assert _request(client, route, name).status_code == 200
    elif route.kind == "api-staff":
        assert anonymous.status_code == 401
        client.force_login(plain)
        assert _request(client, route, name).status_code == 403
        client.force_login(staff)
        assert _request(client, route, name).status_code in (200, 404)
    elif route.kind == "published":  # a published MAP by token; an unknown token is 404
        assert anonymous.status_code == 404
    else:  # public and api-public answer without signing in
        assert anonymous.status_code in (200, 302, 400, 405, 410), anonymous.status_code


@pytest.mark.django_db
def test_admin_is_for_staff_only(client):
    url = reverse("admin:accounts_user_changelist")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert "/admin/login/" in client.get(url)["Location"]

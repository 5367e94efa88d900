"""Finding 2: sign-in, the token endpoint, password reset and sign-up are limited per
account and per client address, in a cache every process shares, and the client address
is read only through the proxies the deployment declares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core import throttling
from core.throttling import (
    Limit,
    address_key,
    client_address,
    limit_hit,
    limit_reset,
    limit_retry_after,
)
from tests.factories import PASSWORD, StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
LOGIN = "accounts:login"
ACCOUNT_LIMIT = settings.THROTTLE_LIMITS["signin-account"][0]
ADDRESS_LIMIT = settings.THROTTLE_LIMITS["signin-address"][0]


def _login(client, email, password, **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, **extra)


def _token(api_client, email, password, **extra):
    return api_client.post(
        reverse("api:auth-token"), {"email": email, "password": password}, format="json", **extra
    )


# --- The client's address ---------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_declared_proxies_the_forwarded_header_is_ignored():
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_trusts_only_the_address_it_appended():
    # The client wrote "1.1.1.1" itself; our proxy appended the address it saw.
    request = _request("10.0.0.2", "1.1.1.1, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"
    assert client_address(_request("10.0.0.2")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_count_two_from_the_right():
    request = _request("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2")
    assert client_address(request) == "198.51.100.7"


def test_an_ipv6_client_counts_by_its_64_block():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:198.51.100.7") == "198.51.100.7"


# --- Web sign-in ------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_guessing_one_password_locks_the_account_with_a_clear_message(client, user):
    for _ in range(ACCOUNT_LIMIT):
        assert _login(client, user.email, "wrong guess").status_code == 200
    response = _login(client, user.email, PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_forwarded_header_does_not_reset_the_count(client, user):
    """The probe's 40 guesses with a new X-Forwarded-For each were never throttled."""
    codes = [
        _login(client, user.email, f"guess {n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(40)
    ]
    assert codes[:ACCOUNT_LIMIT] == [200] * ACCOUNT_LIMIT
    assert set(codes[ACCOUNT_LIMIT:]) == {429}


def test_one_address_guessing_many_accounts_is_stopped(client):
    people = UserFactory.create_batch(ADDRESS_LIMIT + 1)
    for person in people[:ADDRESS_LIMIT]:
        assert _login(client, person.email, "wrong").status_code == 200
    assert _login(client, people[-1].email, PASSWORD).status_code == 429
    # Someone else, from another address, still signs in.
    elsewhere = _login(client, people[-1].email, PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 302


def test_the_lock_ends_when_its_window_closes(client, user):
    for _ in range(ACCOUNT_LIMIT):
        _login(client, user.email, "wrong")
    assert _login(client, user.email, PASSWORD).status_code == 429
    window = settings.THROTTLE_LIMITS["signin-account"][1]
    later = throttling.time.time() + window + 1
    with mock.patch.object(throttling.time, "time", return_value=later):
        assert _login(client, user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_account_count(client, user):
    for _ in range(ACCOUNT_LIMIT - 1):
        _login(client, user.email, "wrong")
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(ACCOUNT_LIMIT - 1):
        assert _login(client, user.email, "wrong").status_code == 200
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_a_password_reset_lifts_the_account_lock(client, user):
    from accounts import services

    for _ in range(ACCOUNT_LIMIT):
        _login(client, user.email, "wrong", REMOTE_ADDR="192.0.2.50")
    assert _login(client, user.email, PASSWORD).status_code == 429
    services.user_password_changed(user=user)
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_the_admin_sign_in_counts_too(client):
    staff = StaffFactory()
    url = reverse("admin:login")
    for _ in range(ACCOUNT_LIMIT):
        client.post(url, {"username": staff.email, "password": "wrong"})
    response = client.post(url, {"username": staff.email, "password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- The token endpoint -----------------------------------------------------------------


def test_token_endpoint_answers_429_with_retry_after_once_locked(api_client, user):
    for n in range(ACCOUNT_LIMIT):
        response = _token(api_client, user.email, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert response.status_code == 400
    response = _token(api_client, user.email, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in response.json()["detail"]


def test_web_and_api_failures_count_together(client, api_client, user):
    for _ in range(ACCOUNT_LIMIT - 1):
        _login(client, user.email, "wrong")
    _token(api_client, user.email, "wrong")
    assert _login(client, user.email, PASSWORD).status_code == 429


# --- Password reset and sign-up ---------------------------------------------------------


def test_password_reset_requests_are_limited_per_address_asked_for(client, user):
    limit = settings.THROTTLE_LIMITS["reset-account"][0]
    url = reverse("accounts:password_reset")
    for _ in range(limit):
        assert client.post(url, {"email": user.email}).status_code == 302
    assert len(mail.outbox) == limit
    response = client.post(url, {"email": user.email})
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mail.outbox) == limit


def test_password_reset_requests_are_limited_per_client(client):
    limit = settings.THROTTLE_LIMITS["reset-address"][0]
    url = reverse("accounts:password_reset")
    for n in range(limit):
        assert client.post(url, {"email": f"nobody{n}@example.org"}).status_code == 302
    assert client.post(url, {"email": "another@example.org"}).status_code == 429


PASSPHRASE = "a long enough passphrase"
SIGNUP = {"name": "Ana", "password1": PASSPHRASE, "password2": PASSPHRASE}


def test_sign_up_for_one_address_is_limited(client, django_capture_on_commit_callbacks):
    limit = settings.THROTTLE_LIMITS["signup-account"][0]
    url = reverse("accounts:signup")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(limit):
            assert client.post(url, {**SIGNUP, "email": "ana@example.org"}).status_code == 200
        response = client.post(url, {**SIGNUP, "email": "ANA@example.org"})
    assert response.status_code == 429
    assert "Too many sign-up requests" in response.content.decode()
    assert len(mail.outbox) == limit


def test_sign_up_from_one_client_is_limited(client):
    limit = settings.THROTTLE_LIMITS["signup-address"][0]
    url = reverse("accounts:signup")
    for n in range(limit):
        assert client.post(url, {**SIGNUP, "email": f"p{n}@example.org"}).status_code == 200
    assert client.post(url, {**SIGNUP, "email": "last@example.org"}).status_code == 429


def test_verification_resends_count_against_the_sign_up_limit(client):
    limit = settings.THROTTLE_LIMITS["signup-account"][0]
    url = reverse("accounts:resend_verification")
    for _ in range(limit):
        assert client.post(url, {"email": "ana@example.org"}).status_code == 200
    assert client.post(url, {"email": "ana@example.org"}).status_code == 429


# --- Shared by every process ------------------------------------------------------------


def test_counters_are_kept_in_a_cache_every_process_shares():
    # The database table in the embedded mode, Redis beside the broker in production (the
    # second CI leg); never memory of one process.
    backend = settings.CACHES["default"]["BACKEND"]
    expected = (
        "django.core.cache.backends.redis.RedisCache"
        if settings.CELERY_BROKER_URL.startswith("redis")
        else "django.core.cache.backends.db.DatabaseCache"
    )
    assert backend == expected


@pytest.mark.django_db(transaction=True)
def test_an_attempt_counted_in_another_process_is_seen_here():
    from django.db import connection

    cache.clear()
    limit = Limit("signin-account")
    code = (
        "import django; django.setup()\n"
        "from core.throttling import Limit, limit_hit\n"
        f"for _ in range({ACCOUNT_LIMIT}):\n"
        "    limit_hit(Limit('signin-account'), 'shared@example.org')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mobility.settings_test",
        "MOBILITY_TEST_WORKER_DB": str(connection.settings_dict["NAME"]),
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    assert limit_retry_after(limit, "shared@example.org") > 0
    cache.clear()


def _redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_limits_work_on_redis_as_in_production():
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"mobility-test-{os.getpid()}",
        }
    }
    # Never cache.clear() here: on Redis it empties the whole database, queues included.
    with override_settings(CACHES=redis_cache):
        limit = Limit("signin-account")
        try:
            for _ in range(ACCOUNT_LIMIT):
                limit_hit(limit, "redis@example.org")
            assert limit_retry_after(limit, "redis@example.org") > 0
            assert limit_retry_after(limit, "other@example.org") == 0
        finally:
            limit_reset(limit, "redis@example.org")


def test_production_settings_put_the_counters_in_redis(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CELERY_QUEUE", "MOBILITY_TEST_WORKER_DB"}
    }
    env.update(
        MOBILITY_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="mobility.settings",
        DATABASE_URL="postgres://m:s@db.internal:5432/m",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="map.example.gov",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


def test_the_admin_sign_in_still_refuses_people_who_are_not_staff(client, user):
    response = client.post(reverse("admin:login"), {"username": user.email, "password": PASSWORD})
    assert "do not match a staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_first_start_of_make_run_makes_a_missing_cache_table():
    from django.db import connection

    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.db.DatabaseCache":
        pytest.skip("the embedded mode's cache table; this run keeps its counters in Redis")

    from core.startup import first_start_hooks

    assert throttling.cache_table_ensure in first_start_hooks()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE mobility_cache")
    assert "mobility_cache" not in connection.introspection.table_names()
    throttling.cache_table_ensure()
    assert "mobility_cache" in connection.introspection.table_names()
    limit_hit(Limit("signin-account"), "after@example.org")


def test_guessing_the_current_password_on_the_change_page_is_limited(user_client, user):
    url = reverse("accounts:password_change")
    new = {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE}
    for _ in range(ACCOUNT_LIMIT):
        response = user_client.post(url, {"old_password": "guess", **new})
        assert response.status_code == 200
    response = user_client.post(url, {"old_password": PASSWORD, **new})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

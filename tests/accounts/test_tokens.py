"""Finding 3: API tokens survived a password reset, asking again returned the same token,
and nobody could see or revoke tokens. Tokens are now named, stored as SHA-256, listed
with their last use, revoked on the account page and in the API, and revoked by a
password change or reset (with every other session)."""

from __future__ import annotations

import hashlib
import importlib
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import ApiToken
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new passphrase 42"


def _token(api_client, user, **extra) -> str:
    data = {"email": user.email, "password": PASSWORD, **extra}
    response = api_client.post(reverse("api:auth-token"), data, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(key: str) -> int:
    client = Client()
    return client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}").status_code


def _stored_text() -> str:
    """Every column of every stored token, as one string."""
    return " ".join(str(v) for row in ApiToken.objects.values_list() for v in row)


# --- The token endpoint -----------------------------------------------------------------


def test_asking_again_gives_a_new_token_and_both_work(api_client, user):
    first = _token(api_client, user)
    second = _token(api_client, user, name="Nightly script")
    assert first != second
    assert _me(first) == 200 and _me(second) == 200
    assert ApiToken.objects.filter(user=user, name="Nightly script").exists()


def test_keys_are_stored_only_as_a_sha256(api_client, user):
    key = _token(api_client, user)
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in _stored_text()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) // 3


def test_a_token_notes_when_it_was_last_used(api_client, user):
    key = _token(api_client, user)
    assert ApiToken.objects.get(user=user).last_used_at is None
    assert _me(key) == 200
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_an_unknown_key_and_a_switched_off_account_get_401(api_client, user):
    key = _token(api_client, user)
    assert _me(key + "x") == 401
    user.is_active = False
    user.save()
    assert _me(key) == 401


def test_a_person_holds_a_bounded_number_of_tokens(api_client, user, settings):
    settings.API_TOKENS_PER_USER = 2
    _token(api_client, user)
    _token(api_client, user)
    response = api_client.post(
        reverse("api:auth-token"), {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "Revoke the ones you no longer use" in str(response.json())


# --- The account's token page -----------------------------------------------------------


def test_make_a_token_on_the_page_see_it_once_then_listed(user_client, user):
    url = reverse("accounts:tokens")
    response = user_client.post(url, {"name": "Data sync"})
    page = response.content.decode()
    key = re.search(r'value="(map_[^"]+)"', page).group(1)
    assert "shown only this once" in page
    assert response["Cache-Control"] == "no-store"
    assert _me(key) == 200
    listing = user_client.get(url).content.decode()
    assert key not in listing
    assert "Data sync" in listing and key[:10] in listing
    assert "Last used" in listing


def test_a_token_needs_a_name(user_client):
    response = user_client.post(reverse("accounts:tokens"), {"name": "  "})
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_a_token_on_the_page(user_client, user):
    token, key = services.api_token_create(user=user, name="Old laptop")
    response = user_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "The token is revoked" in response.content.decode()
    assert _me(key) == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_nobody_revokes_another_persons_token(user_client):
    other_token, other_key = services.api_token_create(user=UserFactory(), name="Theirs")
    url = reverse("accounts:token_revoke", args=[other_token.pk])
    assert user_client.post(url).status_code == 404
    assert _me(other_key) == 200


def test_the_profile_links_to_the_token_page(user_client):
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:tokens") in page


# --- The API for one's own tokens -------------------------------------------------------


def test_list_make_and_revoke_own_tokens_in_the_api(api_client, user):
    key = _token(api_client, user, name="First")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    made = api_client.post(reverse("api:token-list"), {"name": "Second"}, format="json")
    assert made.status_code == 201
    second = made.json()
    assert second["token"].startswith(second["prefix"])
    listed = api_client.get(reverse("api:token-list")).json()
    assert sorted(t["name"] for t in listed) == ["First", "Second"]
    assert all("token" not in t and "key_hash" not in t for t in listed)
    first_id = next(t["id"] for t in listed if t["name"] == "First")
    assert listed[0]["last_used_at"] is not None or listed[1]["last_used_at"] is not None
    gone = api_client.delete(reverse("api:token-detail", args=[second["id"]]))
    assert gone.status_code == 204
    assert _me(second["token"]) == 401
    # Revoking the token in use ends its own access.
    assert api_client.delete(reverse("api:token-detail", args=[first_id])).status_code == 204
    assert api_client.get(reverse("api:token-list")).status_code == 401


def test_the_api_shows_and_revokes_only_ones_own_tokens(api_client, user):
    theirs, _key = services.api_token_create(user=UserFactory(), name="Theirs")
    api_client.force_authenticate(user)
    assert api_client.get(reverse("api:token-list")).json() == []
    response = api_client.delete(reverse("api:token-detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_token_endpoints_are_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema")).content.decode()
    assert "/api/me/tokens/" in schema and "/api/me/tokens/{id}/" in schema
    assert "tokenAuth" in schema


# --- Password change and reset ----------------------------------------------------------


def test_password_change_revokes_tokens_and_other_sessions_but_keeps_this_one(api_client, user):
    key = _token(api_client, user)
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your API tokens were revoked" in response.content.decode()
    assert _me(key) == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert here.get(reverse("accounts:profile")).status_code == 200
    signed_out = elsewhere.get(reverse("accounts:profile"))
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]


def test_password_reset_revokes_tokens_and_every_session(api_client, user):
    key = _token(api_client, user)
    session = Client()
    session.force_login(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    browser = Client()
    url = reverse("accounts:password_reset_confirm", args=[uid, token])
    form_url = browser.get(url)["Location"]  # Django swaps the token for a session marker
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse(
        "accounts:password_reset_complete"
    )
    assert _me(key) == 401
    assert session.get(reverse("accounts:profile")).status_code == 302
    # Asking for a token again with the new password gives a new, working one.
    again = api_client.post(
        reverse("api:auth-token"), {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )
    assert again.json()["token"] != key and _me(again.json()["token"]) == 200


def test_a_password_set_by_staff_revokes_the_tokens(client, user):
    _token_row, key = services.api_token_create(user=user, name="Script")
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _me(key) == 401


def test_staff_see_tokens_in_the_admin_without_keys(client, user):
    _token_row, key = services.api_token_create(user=user, name="Script")
    client.force_login(StaffFactory(is_superuser=True))
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "Script" in page and key not in page


# --- Tokens made before hashing ---------------------------------------------------------


def test_the_migration_hashes_existing_plain_tokens_so_their_keys_keep_working(user):
    migration = importlib.import_module("accounts.migrations.0002_api_tokens")
    legacy_key = "a" * 39 + "1"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [legacy_key, "2026-01-02 03:04:05", user.pk],
        )
    from django.apps import apps

    # SQLite's schema editor cannot open inside the test's transaction; the migration
    # only runs SQL through it.
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    migration.legacy_tokens_hash(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(legacy_key.encode()).hexdigest()
    assert token.created_at.year == 2026
    assert legacy_key not in _stored_text()
    assert _me(legacy_key) == 200


def test_password_reset_email_still_arrives(client, user):
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1

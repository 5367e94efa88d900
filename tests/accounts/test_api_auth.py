import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_token_for_email_and_password_then_me(api_client, user, password):
    response = api_client.post(
        reverse("api:auth-token"), {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_bad_credentials_get_400_with_a_message(api_client, user):
    response = api_client.post(
        reverse("api:auth-token"), {"email": user.email, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "do not match" in str(response.json())


def test_anonymous_api_call_gets_401(api_client):
    response = api_client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    assert b"/api/auth/token/" in schema.content
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()

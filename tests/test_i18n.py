import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_language_switcher_turns_pages_spanish(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert "Saltar al contenido principal" in page

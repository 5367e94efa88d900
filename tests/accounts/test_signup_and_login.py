import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Ana Pérez",
    "email": "Ana@Example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
}


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_signup_sends_a_verification_link_that_activates_and_signs_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    user = User.objects.get(email="ana@example.org")
    assert not user.is_active and user.email_verified_at is None
    assert (
        client.post(
            reverse("accounts:login"),
            {"username": "ana@example.org", "password": GOOD["password1"]},
        ).status_code
        == 200
    )  # refused: not verified yet

    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "Welcome, Ana" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at is not None


def test_signup_with_a_taken_email_reveals_nothing_but_tells_the_owner(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), {**GOOD, "email": user.email.upper()})
    assert "Check your email" in response.content.decode()
    assert User.objects.filter(email__iexact=user.email).count() == 1
    assert mail.outbox[0].to == [user.email]
    assert "already has one" in mail.outbox[0].body


def test_signup_form_errors_are_shown_at_the_field(client):
    response = client.post(
        reverse("accounts:signup"),
        {"name": "", "email": "not-an-email", "password1": "123", "password2": "456"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in page
    assert "The two passwords differ." in page
    assert not User.objects.exists()


def test_tampered_or_expired_links_are_refused(client, settings):
    response = client.get(reverse("accounts:verify", args=["not-a-token"]))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_closed_signup_points_to_invitations(client, settings):
    settings.OPEN_SIGNUP = False
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 403
    assert "invite you" in response.content.decode()
    response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 403
    assert not User.objects.exists()


def test_sign_in_by_email_in_any_case_and_sign_out(client, user, password):
    response = client.post(
        reverse("accounts:login"), {"username": user.email.upper(), "password": password}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == user
    client.post(reverse("accounts:logout"))
    assert "Sign in" in client.get(reverse("core:home")).content.decode()


def test_wrong_password_gets_a_clear_message(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "x"})
    assert "do not match an account" in response.content.decode()


def test_password_reset_by_email(client, user):
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand new passphrase", "new_password2": "brand new passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username=user.email, password="brand new passphrase")


def test_password_change(user_client, user, password):
    response = user_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_profile_saves_name_and_language(user_client, user):
    response = user_client.post(reverse("accounts:profile"), {"name": "Rosa", "language": "es"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.language) == ("Rosa", "es")
    assert "Su cuenta" in user_client.get(reverse("accounts:profile")).content.decode()


def test_staff_can_create_users_in_the_admin(staff):
    staff.is_superuser = True
    staff.save()
    from django.test import Client

    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "name": "New Person",
            "password1": "a good long password",
            "password2": "a good long password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(email="new@example.org").exists()

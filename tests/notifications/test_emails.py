"""Emails: sent at once when chosen, with a one-click unsubscribe, in the recipient's language."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from coalitions import services as coalition_services
from coalitions.models import Invitation
from notifications import services
from plans import services as plan_services
from plans.models import Notification


def _unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return re.sub(r"^<https?://[^/]+(.*)>$", r"\1", header)


def _mention(team, django_capture_on_commit_callbacks, who="m1"):
    handle = team[who].user.name.replace(" ", "")
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.comment_create(
            worksheet_key="w5_7", body=f"@{handle} please look", actor=team["pm"]
        )


def test_a_mention_email_has_one_click_unsubscribe_headers(
    team, django_capture_on_commit_callbacks
):
    _mention(team, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/accounts/notifications/unsubscribe/" in message.body
    assert "please look" in message.body
    assert Notification.objects.get().emailed_at is not None


def test_unsubscribe_asks_first_then_stops_that_kind_signed_out(
    client, team, django_capture_on_commit_callbacks
):
    _mention(team, django_capture_on_commit_callbacks)
    path = _unsubscribe_path(mail.outbox[0])
    user = team["m1"].user
    page = client.get(path)  # a link checker opening the link changes nothing
    assert page.status_code == 200 and "Mentions in comments" in page.content.decode()
    assert services.notification_preferences(user)["mention"] == "immediate"
    done = client.post(path)
    assert done.status_code == 200 and "No more emails" in done.content.decode()
    assert services.notification_preferences(user)["mention"] == "app"
    assert services.notification_preferences(user)["review_request"] == "immediate"
    mail.outbox.clear()
    _mention(team, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and Notification.objects.filter(user=user).count() == 2


def test_a_mail_client_one_click_post_works_without_a_csrf_token(
    team, django_capture_on_commit_callbacks
):
    from django.test import Client

    _mention(team, django_capture_on_commit_callbacks)
    path = _unsubscribe_path(mail.outbox[0])
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert services.notification_preferences(team["m1"].user)["mention"] == "app"


def test_a_forged_unsubscribe_link_is_refused(client, team):
    token = services.unsubscribe_url(team["m1"].user, ["mention"], "/").rstrip("/").split("/")[-1]
    response = client.post(reverse("notifications:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert services.notification_preferences(team["m1"].user)["mention"] == "immediate"


def test_a_spanish_speaker_gets_spanish_emails_and_notifications(
    team, django_capture_on_commit_callbacks
):
    user = team["m1"].user
    user.language = "es"
    user.save()
    _mention(team, django_capture_on_commit_callbacks)
    assert "lo/la mencionó en 5.7" in Notification.objects.get().text
    assert "lo/la mencionó" in mail.outbox[0].subject and "Ábralo:" in mail.outbox[0].body


def test_an_invitation_in_spanish_makes_a_spanish_speaking_account(
    client, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = coalition_services.coalition_member_invite(
            actor_membership=team["pm"], email="rosa@example.org", language="es"
        )
    assert invitation.language == "es"
    assert "Acepte la invitación aquí:" in mail.outbox[0].body
    token = re.search(r"/invitation/([^/\s]+)/", mail.outbox[0].body).group(1)
    membership = coalition_services.invitation_accept(
        token=token, name="Rosa Ruiz", password="a long enough password 1"
    )
    assert membership.user.language == "es"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.comment_create(worksheet_key="w5_7", body="@RosaRuiz hola", actor=team["pm"])
    assert "lo/la mencionó" in mail.outbox[0].subject


def test_an_invitation_speaks_the_inviters_language_by_default(
    team, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        coalition_services.coalition_member_invite(
            actor_membership=team["pm"], email="luis@example.org"
        )
    assert Invitation.objects.get(email="luis@example.org").language == "es"


def test_the_invitation_form_offers_the_language(client, team):
    client.force_login(team["pm"].user)
    url = reverse("coalitions:invitations", args=[team["coalition"].pk])
    assert 'name="language"' in client.get(url).content.decode()
    client.post(url, {"email": "ana@example.org", "role": "member", "language": "es"})
    assert Invitation.objects.get(email="ana@example.org").language == "es"


def test_choosing_a_language_in_the_page_keeps_it_for_emails(client, team):
    user = team["m1"].user
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    user.refresh_from_db()
    assert user.language == "es"


def test_signing_in_gives_a_person_without_a_language_the_pages_one(client, db):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory(email="new@example.org")
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "es"


def test_signing_in_switches_to_the_persons_language(client, db):
    from django.conf import settings

    from tests.factories import PASSWORD, UserFactory

    user = UserFactory(email="es@example.org", language="es")
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_api_invites_in_a_chosen_language_and_refuses_an_unknown_one(
    api_client, team, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(team["pm"].user)
    url = f"/api/coalitions/{team['coalition'].pk}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            url, {"email": "eva@example.org", "language": "es"}, format="json"
        )
    assert response.status_code == 201 and response.json()["language"] == "es"
    assert "Acepte la invitación aquí:" in mail.outbox[0].body
    bad = api_client.post(url, {"email": "max@example.org", "language": "fr"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()
    assert not Invitation.objects.filter(email="max@example.org").exists()

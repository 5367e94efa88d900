"""Finding 7: names with control characters, invitation emails, plain text, emails per hour."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.forms import SignupForm
from coalitions import services
from coalitions.models import Coalition, Invitation, Role, WorkingGroup
from metrics.models import Geography
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db
ONE_LINE = "Use one line of text, without line breaks, tabs or control characters."


@pytest.fixture(autouse=True)
def send_on_commit(monkeypatch):
    """Emails go out on commit: in these tests, at once (the test's transaction never ends)."""
    from django.db import connection

    monkeypatch.setattr(connection, "on_commit", lambda func, robust=False: func())


@pytest.fixture
def pm(db):
    return MembershipFactory(coalition=CoalitionFactory(name="Safe"), role=Role.PROJECT_MANAGER)


@pytest.mark.parametrize(
    "name", ["Two\nlines", "Carriage\rreturn", "Tab\there", "Bell\x07", "Rtl\u202e"]
)
def test_a_coalition_name_with_control_characters_is_refused_in_the_form_and_the_api(
    client, api_client, user, name
):
    client.force_login(user)
    county = Geography.objects.get(fips="51510")
    page = client.post(
        reverse("coalitions:create"), {"name": name, "geography": county.pk, "description": ""}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["name"] == [ONE_LINE]
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api:coalition-list"), {"name": name, "geography_id": county.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["name"] == [ONE_LINE]
    assert not Coalition.objects.filter(created_by=user).exists()


def test_working_group_organisation_and_person_names_are_refused_too(client, pm):
    client.force_login(pm.user)
    c = pm.coalition.pk
    page = client.post(reverse("coalitions:working_group_create", args=[c]), {"name": "A\nB"})
    assert ONE_LINE in page.content.decode()
    assert not WorkingGroup.objects.exists()
    page = client.post(
        reverse("coalitions:invitations", args=[c]),
        {"email": "x@example.org", "role": Role.MEMBER, "organisation": "Org\r\nBcc: y@z"},
    )
    assert page.context["form"].errors["organisation"] == [ONE_LINE]
    assert not Invitation.objects.exists()
    with pytest.raises(Exception) as exc:
        services.working_group_save(actor_membership=pm, name="A\x00B", description="")
    assert ONE_LINE in str(exc.value)
    form = SignupForm(
        {
            "name": "Ann\nLee",
            "email": "ann@example.org",
            "password1": "x9!Kq#2vLm",
            "password2": "x9!Kq#2vLm",
        }
    )
    assert form.errors["name"] == [ONE_LINE]
    profile = client.post(reverse("accounts:profile"), {"name": "Pat\tX", "language": ""})
    assert ONE_LINE in profile.content.decode()


def test_invitations_go_out_for_a_name_saved_before_with_a_line_break(client, pm):
    Coalition.objects.filter(pk=pm.coalition.pk).update(name="Mobility\nCoalition")
    client.force_login(pm.user)
    response = client.post(
        reverse("coalitions:invitations", args=[pm.coalition.pk]),
        {"email": "new@example.org", "role": Role.MEMBER},
    )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.subject == "You are invited to join Mobility Coalition"


def test_plain_text_emails_are_not_html_escaped(client, pm):
    Coalition.objects.filter(pk=pm.coalition.pk).update(name="O'Brien & Sons <County>")
    pm.user.name = "Pat O'Hara"
    pm.user.save()
    client.force_login(pm.user)
    client.post(
        reverse("coalitions:invitations", args=[pm.coalition.pk]),
        {"email": "new@example.org", "role": Role.MEMBER},
    )
    [email] = mail.outbox
    assert "O'Brien & Sons <County>" in email.subject
    assert "Pat O'Hara invites you to join O'Brien & Sons <County>" in email.body
    assert "&#x27;" not in email.body and "&amp;" not in email.body


def test_emails_to_one_address_stop_at_the_hourly_limit_with_a_message(
    client, api_client, pm, settings
):
    settings.EMAILS_PER_ADDRESS_PER_HOUR = 2
    client.force_login(pm.user)
    c = pm.coalition.pk
    client.post(
        reverse("coalitions:invitations", args=[c]),
        {"email": "busy@example.org", "role": Role.MEMBER},
    )
    invitation = Invitation.objects.get()
    api_client.force_authenticate(pm.user)
    resend = reverse("api:invitation-resend", args=[c, invitation.pk])
    assert api_client.post(resend).status_code == 200
    assert len(mail.outbox) == 2
    refused = api_client.post(resend)
    assert refused.status_code == 400
    assert "2 emails were sent to this address in the last hour" in str(refused.json())
    page = client.post(
        reverse("coalitions:invitation_resend", args=[c, invitation.pk]), follow=True
    )
    assert "2 emails were sent to this address in the last hour" in page.content.decode()
    assert len(mail.outbox) == 2
    # Another address is not affected.
    client.post(
        reverse("coalitions:invitations", args=[c]),
        {"email": "calm@example.org", "role": Role.MEMBER},
    )
    assert len(mail.outbox) == 3

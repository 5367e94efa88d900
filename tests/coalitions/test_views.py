import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalitions.models import Coalition, Invitation, Membership, Role, WorkingGroup
from metrics.models import Geography
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_a_coalition_for_a_real_county(user_client, user):
    page = user_client.get(reverse("coalitions:create"), {"q": "dona ana"}).content.decode()
    assert "Doña Ana County, New Mexico" in page  # found without typing the accent
    county = Geography.objects.get(fips="35013")
    response = user_client.post(
        reverse("coalitions:create"),
        {"name": "Doña Ana Mobility", "geography": county.pk, "description": ""},
    )
    coalition = Coalition.objects.get(name="Doña Ana Mobility")
    assert response["Location"] == reverse("coalitions:detail", args=[coalition.pk])
    assert coalition.memberships.get().user == user
    page = user_client.get(response["Location"]).content.decode()
    assert "No community members" in page and "No data lead" in page


def test_create_without_a_jurisdiction_says_so(user_client):
    response = user_client.post(reverse("coalitions:create"), {"name": "X", "geography": ""})
    assert "Choose the county or city" in response.content.decode()
    response = user_client.post(reverse("coalitions:create"), {"name": "X", "geography": "999999"})
    assert "Choose a county or city from the search results" in response.content.decode()
    assert not Coalition.objects.exists()


def test_geography_search_partial(user_client):
    page = user_client.get(
        reverse("coalitions:geography_search"), {"q": "philadelphia"}
    ).content.decode()
    assert "Philadelphia city, Pennsylvania" in page and "Philadelphia County" in page


def test_invite_accept_as_new_user_and_see_the_coalition(
    pm_client, pm, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pm_client.post(
            reverse("coalitions:invitations", args=[pm.coalition_id]),
            {
                "email": "new@example.org",
                "name": "Nia",
                "role": "member",
                "organisation": "",
                "sector": "community_member",
            },
        )
    assert response.status_code == 302
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    pm_client.logout()
    page = client.get(link).content.decode()
    assert "Create your account for new@example.org" in page
    response = client.post(
        link, {"name": "Nia N.", "password1": "a long passphrase", "password2": "a long passphrase"}
    )
    assert response["Location"] == reverse("coalitions:detail", args=[pm.coalition_id])
    page = client.get(response["Location"]).content.decode()
    assert pm.coalition.name in page
    assert Membership.objects.get(user__email="new@example.org").sector == "community_member"
    assert client.get(link).status_code == 410


def test_accept_form_errors_stay_on_the_page(pm, client, django_capture_on_commit_callbacks):
    from coalitions import services

    with django_capture_on_commit_callbacks(execute=True):
        services.coalition_member_invite(actor_membership=pm, email="z@example.org")
    link = re.search(r"(/coalitions/invitation/\S+/)", mail.outbox[0].body).group(1)
    response = client.post(link, {"name": "Z", "password1": "short", "password2": "other"})
    assert "The two passwords differ." in response.content.decode()
    assert not Membership.objects.filter(user__email="z@example.org").exists()
    assert Invitation.objects.get(email="z@example.org").is_open


def test_invite_errors_are_shown_at_the_field(pm_client, pm):
    response = pm_client.post(
        reverse("coalitions:invitations", args=[pm.coalition_id]),
        {"email": pm.user.email, "role": "member"},
    )
    assert "is already a member" in response.content.decode()


def test_bulk_invite_page_shows_a_report(pm_client, pm, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile(
        "people.csv", b"email,name,role\nok@example.org,Ok,viewer\nbad,Bad,member\n", "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the job
        response = pm_client.post(
            reverse("coalitions:invitation_bulk", args=[pm.coalition_id]), {"file": upload}
        )
    page = pm_client.get(response["Location"]).content.decode()
    assert "1 invited, 1 not invited" in page
    assert "not a valid email" in page
    assert Invitation.objects.filter(email="ok@example.org", role="viewer").exists()


def test_bulk_rejects_binary_files(pm_client, pm):
    upload = SimpleUploadedFile("x.csv", b"\x00\x01\x02binary", "text/csv")
    response = pm_client.post(
        reverse("coalitions:invitation_bulk", args=[pm.coalition_id]), {"file": upload}
    )
    assert "not a CSV text file" in response.content.decode()
    assert not Invitation.objects.exists()


def test_change_role_and_last_pm_message(pm_client, pm):
    other = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    pm_client.post(
        reverse("coalitions:member_role", args=[pm.coalition_id, other.pk]), {"role": "data_lead"}
    )
    other.refresh_from_db()
    assert other.role == Role.DATA_LEAD
    response = pm_client.post(
        reverse("coalitions:member_role", args=[pm.coalition_id, pm.pk]),
        {"role": "member"},
        follow=True,
    )
    assert "at least one project manager" in response.content.decode()


def test_member_ids_of_another_coalition_are_404(pm_client, pm):
    stranger = MembershipFactory(coalition=CoalitionFactory(), role=Role.MEMBER)
    url = reverse("coalitions:member_role", args=[pm.coalition_id, stranger.pk])
    assert pm_client.post(url, {"role": "viewer"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.MEMBER


def test_working_group_refuses_members_from_elsewhere(pm_client, pm):
    stranger = MembershipFactory(coalition=CoalitionFactory())
    mine = MembershipFactory(coalition=pm.coalition)
    url = reverse("coalitions:working_group_create", args=[pm.coalition_id])
    response = pm_client.post(url, {"name": "Housing", "members": [stranger.pk, mine.pk]})
    assert "Select a valid choice" in response.content.decode()
    assert not WorkingGroup.objects.exists()
    pm_client.post(url, {"name": "Housing", "lead": mine.pk, "members": [mine.pk]})
    assert WorkingGroup.objects.get().lead == mine


def test_composition_counts_without_names_for_lived_experience(pm, client):
    viewer = MembershipFactory(coalition=pm.coalition, role=Role.VIEWER)
    MembershipFactory(coalition=pm.coalition, sector="community_member", lived_experience=True)
    client.force_login(viewer.user)
    page = client.get(reverse("coalitions:composition", args=[pm.coalition_id])).content.decode()
    assert "1 member says they have lived experience" in page
    assert "No community members" not in page


def test_activity_log_lists_membership_events(pm_client, pm):
    pm_client.post(
        reverse("coalitions:invitations", args=[pm.coalition_id]),
        {"email": "q@example.org", "role": "viewer"},
    )
    page = pm_client.get(reverse("coalitions:activity", args=[pm.coalition_id])).content.decode()
    assert "invited" in page and "q@example.org" in page and "(Viewer)" in page


def test_home_lists_my_coalitions_only(client):
    mine = MembershipFactory(role=Role.MEMBER)
    CoalitionFactory(name="Someone else's")
    client.force_login(mine.user)
    page = client.get(reverse("core:home")).content.decode()
    assert mine.coalition.name in page and "Someone else" not in page


def test_user_text_is_escaped(pm_client, pm):
    other = UserFactory(name="<script>alert(1)</script>")
    MembershipFactory(coalition=pm.coalition, user=other)
    page = pm_client.get(reverse("coalitions:members", args=[pm.coalition_id])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page

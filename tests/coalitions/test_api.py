import pytest
from django.core import mail
from django.urls import reverse

from coalitions.models import Coalition, Invitation, Membership, Role, WorkingGroup
from metrics.models import Geography
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_create_a_coalition_and_become_its_project_manager(api_client, user):
    api_client.force_authenticate(user)
    county = Geography.objects.get(fips="51510")
    response = api_client.post(
        reverse("api:coalition-list"),
        {"name": "Alexandria", "geography_id": county.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["geography"]["fips"] == "51510" and body["my_role"] == "project_manager"
    assert Membership.objects.get(coalition_id=body["id"]).user == user


def test_create_with_an_unknown_geography_is_a_clear_400(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api:coalition-list"), {"name": "X", "geography_id": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "No county or city has the id 999999" in str(response.json())
    assert not Coalition.objects.exists()


def test_invite_list_revoke_resend(pm_api, pm, django_capture_on_commit_callbacks):
    url = reverse("api:invitation-list", kwargs={"coalition_pk": pm.coalition_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = pm_api.post(
            url, {"email": "Api@Example.org", "role": "data_lead"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "api@example.org" and response.json()["status"] == "pending"
    assert len(mail.outbox) == 1
    duplicate = pm_api.post(url, {"email": "api@example.org"}, format="json")
    assert duplicate.status_code == 400 and "already invited" in str(duplicate.json())
    pk = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = pm_api.post(
            reverse("api:invitation-resend", kwargs={"coalition_pk": pm.coalition_id, "pk": pk})
        )
    assert resent.status_code == 200 and len(mail.outbox) == 2
    revoked = pm_api.post(
        reverse("api:invitation-revoke", kwargs={"coalition_pk": pm.coalition_id, "pk": pk})
    )
    assert revoked.json()["status"] == "revoked"
    assert [i["email"] for i in pm_api.get(url).json()["results"]] == ["api@example.org"]


def test_change_role_and_last_pm_protection(pm_api, pm):
    other = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    url = reverse("api:membership-detail", kwargs={"coalition_pk": pm.coalition_id, "pk": other.pk})
    assert pm_api.patch(url, {"role": "viewer"}, format="json").status_code == 200
    other.refresh_from_db()
    assert other.role == Role.VIEWER
    own = reverse("api:membership-detail", kwargs={"coalition_pk": pm.coalition_id, "pk": pm.pk})
    response = pm_api.patch(own, {"role": "member"}, format="json")
    assert response.status_code == 400 and "at least one project manager" in str(response.json())
    assert pm_api.delete(own).status_code == 400


def test_membership_of_another_coalition_is_404(pm_api, pm):
    stranger = MembershipFactory(coalition=CoalitionFactory())
    url = reverse(
        "api:membership-detail", kwargs={"coalition_pk": pm.coalition_id, "pk": stranger.pk}
    )
    assert pm_api.patch(url, {"role": "viewer"}, format="json").status_code == 404


def test_working_group_body_references_are_checked(pm_api, pm):
    stranger = MembershipFactory(coalition=CoalitionFactory())
    mine = MembershipFactory(coalition=pm.coalition)
    url = reverse("api:working-group-list", kwargs={"coalition_pk": pm.coalition_id})
    response = pm_api.post(url, {"name": "Jobs", "members": [stranger.pk]}, format="json")
    assert response.status_code == 400
    assert f"Member {stranger.pk} is not part of this coalition" in str(response.json())
    assert not WorkingGroup.objects.exists()
    response = pm_api.post(url, {"name": "Jobs", "lead": mine.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["members"] == [mine.pk]


def test_viewer_cannot_invite_by_api(api_client, pm):
    viewer = MembershipFactory(coalition=pm.coalition, role=Role.VIEWER)
    api_client.force_authenticate(viewer.user)
    url = reverse("api:invitation-list", kwargs={"coalition_pk": pm.coalition_id})
    assert api_client.post(url, {"email": "x@example.org"}, format="json").status_code == 403
    assert not Invitation.objects.exists()


def test_api_routes_are_in_the_schema(client):
    schema = client.get(reverse("api:schema")).content.decode()
    for path in (
        "/api/coalitions/",
        "/api/coalitions/{coalition_pk}/memberships/",
        "/api/coalitions/{coalition_pk}/invitations/",
        "/api/coalitions/{coalition_pk}/working-groups/",
    ):
        assert path in schema

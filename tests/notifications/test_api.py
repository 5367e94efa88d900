"""The in-app notifications through the API: a person lists their own notifications in a
coalition and marks them read (some or all), with a session or a personal token."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from notifications.services import notification_send
from plans.models import Notification, NotificationKind
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _send(member, text, kind=NotificationKind.MENTION, coalition=None):
    return notification_send(
        user=member.user,
        coalition=coalition or member.coalition,
        kind=kind,
        text=text,
        url="/somewhere/",
    )


def test_a_person_lists_and_marks_read_their_own_notifications_with_a_token(api_client, team):
    m1, dl = team["m1"], team["dl"]
    first = _send(m1, "First news", kind=NotificationKind.MILESTONE_DUE)
    second = _send(m1, "Second news")
    _send(dl, "Someone else's news")
    elsewhere = MembershipFactory(user=m1.user)  # the same person in another coalition
    other = _send(elsewhere, "News of another coalition")
    _token, key = api_token_create(user=m1.user, name="Phone")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api_client.get(reverse("api:notification-list", args=[team["coalition"].pk]))
    assert listed.status_code == 200
    rows = listed.json()
    assert [r["text"] for r in rows] == ["Second news", "First news"]
    assert rows[1]["kind_label"] == "Milestones due or overdue" and rows[1]["read_at"] is None
    read = reverse("api:notification-mark-read", args=[team["coalition"].pk])
    # Another person's or another coalition's ids are ignored.
    done = api_client.post(read, {"ids": [first.pk, other.pk]}, format="json")
    assert done.status_code == 200 and done.json() == {"marked": 1, "unread": 1}
    unread = api_client.get(
        reverse("api:notification-list", args=[team["coalition"].pk]), {"unread": "1"}
    ).json()
    assert [r["id"] for r in unread] == [second.pk]
    assert api_client.post(read, {}, format="json").json() == {"marked": 1, "unread": 0}
    other.refresh_from_db()
    assert other.read_at is None
    assert Notification.objects.filter(user=dl.user, read_at=None).count() == 1


def test_bad_ids_are_refused_with_a_message(api_client, team):
    api_client.force_authenticate(team["m1"].user)
    read = reverse("api:notification-mark-read", args=[team["coalition"].pk])
    response = api_client.post(read, {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()


def test_the_schema_describes_the_endpoints(api_client, team):
    api_client.force_authenticate(team["m1"].user)
    schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "get" in paths["/api/coalitions/{coalition_pk}/notifications/"]
    assert "post" in paths["/api/coalitions/{coalition_pk}/notifications/read/"]

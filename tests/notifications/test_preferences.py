from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications import services
from notifications.models import Delivery
from plans.models import DigestPeriod, Notification, NotificationKind
from tests.factories import UserFactory

API = "/api/me/notification-preferences/"


def test_everyone_starts_with_the_defaults_and_can_change_one_kind(db):
    user = UserFactory()
    prefs = services.notification_preferences(user)
    assert prefs["mention"] == Delivery.IMMEDIATE and prefs["milestone_due"] == Delivery.WEEKLY
    services.notification_preferences_save(user=user, choices={"milestone_due": Delivery.DAILY})
    after = services.notification_preferences(user)
    assert after["milestone_due"] == Delivery.DAILY and after["mention"] == Delivery.IMMEDIATE


def test_bad_choices_are_refused_by_kind_and_nothing_is_saved(db):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.notification_preferences_save(
            user=user, choices={"mention": "daily", "weather": "daily", "measure_due": "hourly"}
        )
    assert set(exc.value.message_dict) == {"weather", "measure_due"}
    assert services.notification_preferences(user)["mention"] == Delivery.IMMEDIATE


def test_waiting_notifications_follow_a_new_choice(team):
    user = team["pm"].user
    services.notification_preferences_save(user=user, choices={"milestone_due": "weekly"})
    services.notification_send(
        user=user, coalition=team["coalition"], kind="milestone_due", text="Due soon"
    )
    note = Notification.objects.get()
    assert note.digest == DigestPeriod.WEEKLY
    services.notification_preferences_save(user=user, choices={"milestone_due": "daily"})
    note.refresh_from_db()
    assert note.digest == DigestPeriod.DAILY
    services.notification_preferences_save(user=user, choices={"milestone_due": "app"})
    note.refresh_from_db()
    assert note.digest == ""


def test_nothing_means_no_notification_at_all(team):
    user = team["pm"].user
    services.notification_preferences_save(user=user, choices={"measure_due": "off"})
    made = services.notification_send(
        user=user, coalition=team["coalition"], kind="measure_due", text="Due"
    )
    assert made is None and not Notification.objects.exists()


def test_the_page_shows_labels_in_a_table_and_saves(client, db):
    user = UserFactory()
    client.force_login(user)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert "<table" in page and "Milestones due or overdue" in page
    assert "Weekly digest" in page and "milestone_due" in page  # the radio's name
    data = dict.fromkeys(NotificationKind.values, "app") | {"mention": "daily"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert services.notification_preferences(user)["mention"] == "daily"
    assert services.notification_preferences(user)["review_request"] == "app"


def test_the_page_says_what_is_wrong_and_keeps_the_saved_choices(client, db):
    user = UserFactory()
    client.force_login(user)
    data = dict.fromkeys(NotificationKind.values, "app") | {"mention": "hourly"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert services.notification_preferences(user)["review_request"] == "immediate"


def test_the_api_reads_and_changes_preferences(api_client, db):
    user = UserFactory()
    api_client.force_authenticate(user)
    data = api_client.get(API).json()
    rows = {row["kind"]: row for row in data["preferences"]}
    assert set(rows) == set(NotificationKind.values)
    assert rows["mention"]["kind_label"] == "Mentions in comments"
    assert rows["mention"]["delivery_label"] == "Email at once"
    response = api_client.put(
        API, {"preferences": [{"kind": "review_waiting", "delivery": "weekly"}]}, format="json"
    )
    assert response.status_code == 200
    rows = {row["kind"]: row for row in response.json()["preferences"]}
    assert rows["review_waiting"]["delivery"] == "weekly"
    assert rows["mention"]["delivery"] == "immediate"


def test_the_api_refuses_bad_input_with_messages(api_client, db):
    user = UserFactory()
    api_client.force_authenticate(user)
    bad = api_client.put(
        API, {"preferences": [{"kind": "mention", "delivery": "hourly"}]}, format="json"
    )
    assert bad.status_code == 400 and "hourly" in str(bad.json())
    twice = api_client.put(
        API,
        {
            "preferences": [
                {"kind": "mention", "delivery": "app"},
                {"kind": "mention", "delivery": "off"},
            ]
        },
        format="json",
    )
    assert twice.status_code == 400
    assert services.notification_preferences(user)["mention"] == "immediate"


def test_the_api_schema_describes_the_endpoint(api_client, db):
    schema = api_client.get("/api/schema/?format=json").json()
    path = schema["paths"]["/api/me/notification-preferences/"]
    assert {"get", "put"} <= set(path)
    assert "NotificationDeliveryEnum" in schema["components"]["schemas"]


def test_a_plural_sentence_is_chosen_by_its_count_in_the_recipients_language(team):
    from django.utils.translation import ngettext_lazy

    text = ngettext_lazy("%(count)s value changed.", "%(count)s values changed.", "count")
    one = services.notification_send(
        user=team["pm"].user,
        coalition=team["coalition"],
        kind="mention",
        text=text,
        params={"count": 1},
    )
    many = services.notification_send(
        user=team["pm"].user,
        coalition=team["coalition"],
        kind="mention",
        text=text,
        params={"count": 3},
    )
    assert one.text == "1 value changed." and many.text == "3 values changed."

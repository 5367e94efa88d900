"""Many people at once (``notifications_send_many``): what ``notification_send`` one by one
would make, each person's choice for the kind applied, in each person's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils.translation import ngettext_lazy

from notifications import services
from notifications.services import Recipient
from plans.models import Notification
from tests.factories import CoalitionFactory, UserFactory

KIND = "release_changes"
TEXT = ngettext_lazy(
    "The Mobility Metrics release %(release)s changed %(count)s value of your measures and goals.",
    "The Mobility Metrics release %(release)s changed %(count)s values of your measures and goals.",
    "count",
)
CHOICES = ("off", "app", "immediate", "daily", "weekly", None)  # None: the default (weekly)


@pytest.fixture
def people(db):
    made = []
    for i, choice in enumerate(CHOICES):
        user = UserFactory(name=f"Person {i}", language="es" if i % 2 else "en")
        if choice:
            services.notification_preferences_save(user=user, choices={KIND: choice})
        made.append(user)
    made.append(UserFactory(name="Gone", is_active=False))
    return made


def _sent(notifications):
    return sorted(
        (n.user_id, n.coalition_id, n.kind, n.text, n.url, n.dedupe_key, n.digest)
        for n in notifications
    )


def _emails():
    def plain(text: str) -> str:  # the unsubscribe token carries the second it was made
        return re.sub(r"/unsubscribe/[^/]+/", "/unsubscribe/TOKEN/", text)

    return sorted(
        (m.to[0], m.subject, plain(m.body), plain(m.extra_headers["List-Unsubscribe"]))
        for m in mail.outbox
    )


def test_many_at_once_makes_what_one_by_one_makes(people, django_capture_on_commit_callbacks):
    coalitions = [CoalitionFactory(name="Uno"), CoalitionFactory(name="Dos")]
    plan = [
        (user, coalition, {"release": "2025", "count": 1 + i % 3}, f"/c/{coalition.pk}/")
        for i, user in enumerate(people)
        for coalition in coalitions
    ]
    with django_capture_on_commit_callbacks(execute=True):
        one_by_one = [
            services.notification_send(
                user=user, coalition=coalition, kind=KIND, text=TEXT, params=params, url=url
            )
            for user, coalition, params, url in plan
        ]
    alone = [n for n in one_by_one if n is not None]
    alone_emails = _emails()
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        together = services.notifications_send_many(
            kind=KIND,
            text=TEXT,
            recipients=[
                Recipient(user=user, coalition_id=coalition.pk, params=params, url=url)
                for user, coalition, params, url in plan
            ],
        )
    assert _sent(together) == _sent(alone) == _sent(Notification.objects.all())
    assert _emails() == alone_emails and len(alone_emails) == 2  # "immediate", two coalitions
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    # Nothing for "off" or an inactive account; the Spanish speakers read Spanish.
    assert {n.user_id for n in together} == {u.pk for u in people[1:6]}
    digests = {n.user_id: n.digest for n in together}
    assert [digests[u.pk] for u in people[1:6]] == ["", "", "daily", "weekly", "weekly"]
    texts = {n.user.language: n.text for n in Notification.objects.select_related("user")}
    assert texts["en"].startswith("The Mobility Metrics release 2025 changed")
    assert texts["es"] != texts["en"]


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notifications_send_many(kind="nope", text="x", recipients=[])

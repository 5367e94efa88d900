"""The web layer every app's coalition pages share (coalitions/web.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from plans.models import Notification
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "route",
    [
        "coalitions:members",
        "plans:steps",
        "map:strategy",
        "profiles:profile",
        "metrics:local_data_list",
    ],
)
def test_the_my_work_badge_shows_on_every_apps_coalition_pages(client, route):
    member = MembershipFactory(coalition=CoalitionFactory(), role=Role.MEMBER)
    Notification.objects.create(user=member.user, coalition=member.coalition, text="Hi")
    client.force_login(member.user)
    page = client.get(reverse(route, args=[member.coalition.pk])).content.decode()
    assert "1 new" in page


def test_no_badge_without_unread_notifications_and_none_from_another_coalition(client):
    member = MembershipFactory(coalition=CoalitionFactory(), role=Role.MEMBER)
    elsewhere = MembershipFactory(user=member.user, coalition=CoalitionFactory())
    Notification.objects.create(user=member.user, coalition=elsewhere.coalition, text="Hi")
    client.force_login(member.user)
    page = client.get(reverse("coalitions:members", args=[member.coalition.pk])).content.decode()
    assert " new</span>" not in page


@pytest.mark.parametrize(
    ("role", "flags"),
    [
        (Role.VIEWER, {"can_view"}),
        (Role.MEMBER, {"can_view", "can_contribute"}),
        (Role.DATA_LEAD, {"can_view", "can_contribute", "can_invite", "can_manage_data"}),
        (
            Role.PROJECT_MANAGER,
            {"can_view", "can_contribute", "can_invite", "can_manage_data", "can_run"},
        ),
    ],
)
def test_every_coalition_page_gets_the_same_capability_flags(client, role, flags):
    member = MembershipFactory(coalition=CoalitionFactory(), role=role)
    client.force_login(member.user)
    for route in ("coalitions:detail", "plans:steps", "profiles:profile"):
        context = client.get(reverse(route, args=[member.coalition.pk])).context
        names = {"can_view", "can_contribute", "can_invite", "can_manage_data", "can_run"}
        assert {name for name in names if context[name]} == flags, route

"""A worksheet page shows its latest comments and links to the whole discussion, so a page
with years of comments stays as light as a new one; counts per question stay exact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Role
from plans.models import Comment
from plans.views.worksheets import COMMENTS_SHOWN
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def page(db, client):
    coalition = CoalitionFactory()
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER)
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            coalition=coalition,
            worksheet_key="w5_7",
            field_key="" if i % 2 else "overview",
            author=pm.user,
            body=f"Comment number {i:02d}.",
            created_at=now - dt.timedelta(minutes=100 - i),
        )
        for i in range(COMMENTS_SHOWN + 10)
    )
    client.force_login(pm.user)
    return reverse("plans:worksheet", args=[coalition.pk, "w5_7"])


def test_the_page_shows_the_latest_comments_oldest_first(client, page):
    html = client.get(page).content.decode()
    total = COMMENTS_SHOWN + 10
    assert f"Show the whole discussion ({total} comments)" in html
    assert "Comment number 09." not in html  # the oldest ten wait behind the link
    assert html.index("Comment number 10.") < html.index(f"Comment number {total - 1}.")


def test_the_whole_discussion_is_one_click_away(client, page):
    html = client.get(page + "?comments=all").content.decode()
    assert "Comment number 00." in html and "Show the whole discussion" not in html

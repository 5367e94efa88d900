"""A project manager invites someone, who accepts and sees the coalition, in Chromium."""

import re

import pytest
from django.core import mail

from coalitions.models import Role
from tests.browser.waiting import visible
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email, password):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1")


def test_invite_accept_member_sees_coalition(browser, live_server, password, artifacts_dir):
    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Doña Ana Mobility")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, pm.user.email, password)
    page.get_by_role("link", name="Doña Ana Mobility").first.click()
    page.get_by_role("link", name="Invite people").first.click()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Name (optional)").fill("Nia")
    page.get_by_label("Role").select_option("member")
    page.get_by_label("Sector (optional)").select_option("community_member")
    page.get_by_role("button", name="Send the invitation").click()
    assert visible(page.get_by_text("Invitation sent to newcomer@example.org"))
    page.screenshot(path=str(artifacts_dir / "invitations.png"), full_page=True)
    context.close()

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Your name").fill("Nia Newcomer")
    page.get_by_label("Choose a password").fill("a long passphrase")
    page.get_by_label("Password again").fill("a long passphrase")
    page.get_by_role("button", name="Create my account and join").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Doña Ana Mobility"
    assert visible(page.get_by_text("Welcome to Doña Ana Mobility."))
    assert visible(page.get_by_text("your role: Member"))
    # A member does not see the project manager's tools.
    assert page.get_by_role("link", name="Invitations").count() == 0
    page.screenshot(path=str(artifacts_dir / "member-sees-coalition.png"), full_page=True)
    context.close()

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from coalitions import services
from coalitions.models import CoalitionEvent, EventKind, Invitation, Membership, Role
from tests.factories import GeographyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    geography = GeographyFactory()
    coalition = services.coalition_create(
        actor=UserFactory(), name="Doña Ana Mobility Coalition", geography=geography
    )
    return coalition.memberships.get()


def invite(pm, email="new@example.org", role=Role.MEMBER, capture=None, **kw):
    return services.coalition_member_invite(actor_membership=pm, email=email, role=role, **kw)


def bulk_invite(pm, text, capture):
    """Start a bulk invitation and run its job inline (eager Celery runs on commit)."""
    with capture(execute=True):
        job = services.coalition_members_bulk_invite_start(actor_membership=pm, text=text)
    job.refresh_from_db()
    return job


def token_from_mail(message) -> str:
    return re.search(r"/coalitions/invitation/([^/\s]+)/", message.body).group(1)


def test_creator_is_the_first_project_manager(pm):
    assert pm.role == Role.PROJECT_MANAGER
    assert CoalitionEvent.objects.filter(kind=EventKind.CREATED).count() == 1


def test_invite_mails_a_link_and_a_new_person_accepts(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(pm, "Rosa@Example.org", Role.DATA_LEAD, name="Rosa", sector="research")
    assert invitation.email == "rosa@example.org"
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert "Doña Ana Mobility Coalition" in mail.outbox[0].subject
    token = token_from_mail(mail.outbox[0])
    assert invitation.token_hash != token  # only the hash is stored
    membership = services.invitation_accept(
        token=token, name="Rosa R.", password="a long passphrase"
    )
    assert membership.role == Role.DATA_LEAD and membership.sector == "research"
    user = User.objects.get(email="rosa@example.org")
    assert user.email_verified_at is not None and user.check_password("a long passphrase")
    with pytest.raises(services.InvitationError, match="used already"):
        services.invitation_accept(token=token, name="x", password="a long passphrase")


def test_existing_account_must_sign_in_first(pm, django_capture_on_commit_callbacks):
    existing = UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invite(pm, "ana@example.org")
    token = token_from_mail(mail.outbox[0])
    with pytest.raises(services.InvitationError, match="Sign in"):
        services.invitation_accept(token=token, name="x", password="a long passphrase")
    membership = services.invitation_accept(token=token, user=existing)
    assert membership.user == existing


def test_expired_revoked_and_replaced_tokens_are_refused(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(pm)
    first = token_from_mail(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(actor_membership=pm, invitation=invitation)
    second = token_from_mail(mail.outbox[1])
    with pytest.raises(services.InvitationError, match="replaced"):
        services.invitation_for_token(first)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_for_token(second)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    services.invitation_revoke(actor_membership=pm, invitation=invitation)
    with pytest.raises(services.InvitationError, match="withdrawn"):
        services.invitation_for_token(second)


@pytest.mark.parametrize(
    ("email", "message"),
    [("not an email", "not a valid email"), ("", "not a valid email")],
)
def test_bad_emails_are_named(pm, email, message):
    with pytest.raises(ValidationError, match=message):
        invite(pm, email)
    assert not Invitation.objects.exists()


def test_members_and_open_invitations_are_not_invited_twice(pm):
    with pytest.raises(ValidationError, match="already a member"):
        invite(pm, pm.user.email.upper())
    invite(pm, "once@example.org")
    with pytest.raises(ValidationError, match="already invited"):
        invite(pm, "ONCE@example.org")
    assert Invitation.objects.count() == 1


def test_expired_invitation_can_be_replaced(pm):
    old = invite(pm, "late@example.org")
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    new = invite(pm, "late@example.org")
    old.refresh_from_db()
    assert old.revoked_at is not None and new.pk != old.pk


def test_management_team_invites_only_members_and_viewers(pm):
    mt = MembershipFactory(coalition=pm.coalition, role=Role.MANAGEMENT_TEAM)
    invite(mt, "v@example.org", Role.VIEWER)
    with pytest.raises(ValidationError, match="cannot invite people as Project manager"):
        invite(mt, "p@example.org", Role.PROJECT_MANAGER)
    member = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        invite(member, "m@example.org")


def test_last_project_manager_is_protected(pm):
    with pytest.raises(ValidationError, match="at least one project manager"):
        services.membership_change_role(actor_membership=pm, membership=pm, role=Role.MEMBER)
    with pytest.raises(ValidationError, match="only project manager"):
        services.membership_remove(actor_membership=pm, membership=pm)
    with pytest.raises(ValidationError, match="Hand the role"):
        services.membership_leave(membership=pm)
    pm.refresh_from_db()
    assert pm.role == Role.PROJECT_MANAGER


def test_hand_over_then_leave(pm):
    other = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    services.project_manager_hand_over(actor_membership=pm, to=other)
    other.refresh_from_db()
    pm.refresh_from_db()
    assert (other.role, pm.role) == (Role.PROJECT_MANAGER, Role.MANAGEMENT_TEAM)
    services.membership_leave(membership=pm)
    assert not Membership.objects.filter(pk=pm.pk).exists()
    kinds = list(CoalitionEvent.objects.values_list("kind", flat=True))
    assert EventKind.HANDED_OVER in kinds and EventKind.LEFT in kinds


def test_members_of_another_coalition_are_rejected(pm):
    stranger = MembershipFactory(role=Role.MEMBER)  # another coalition
    with pytest.raises(ValidationError, match="not a member of this coalition"):
        services.membership_change_role(actor_membership=pm, membership=stranger, role=Role.VIEWER)
    with pytest.raises(ValidationError, match="must belong to this coalition"):
        services.working_group_save(actor_membership=pm, name="Jobs", members=[stranger])


def test_bulk_invite_reports_every_row_and_keeps_the_good_ones(
    pm, django_capture_on_commit_callbacks
):
    text = (
        "email,name,role,organization,sector\n"
        "a@example.org,Ann,member,City,local government\n"
        "not-an-email,Bad,member,,\n"
        "b@example.org,Bo,Data lead,Univ,research\n"
        "c@example.org,Cy,boss,,\n"
        "a@example.org,Ann again,member,,\n"
        f"{pm.user.email},Me,member,,\n"
        "d@example.org,Di,member,,spaceships\n"
    )
    report = bulk_invite(pm, text, django_capture_on_commit_callbacks)
    results = {r.line: (r.ok, r.message) for r in report.rows}
    assert report.invited == 2 and report.failed == 5
    assert results[2][0] and results[4][0]
    assert "not a valid email" in results[3][1]
    assert "not a role" in results[5][1]
    assert "twice" in results[6][1]
    assert "already a member" in results[7][1]
    assert "not a sector" in results[8][1]
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
    ]
    assert Invitation.objects.get(email="b@example.org").role == Role.DATA_LEAD
    assert len(mail.outbox) == 2


def test_bulk_accepts_a_plain_list_of_addresses(pm, django_capture_on_commit_callbacks):
    report = bulk_invite(pm, "x@example.org\ny@example.org\n", django_capture_on_commit_callbacks)
    assert report.invited == 2


def test_lived_experience_is_private_to_the_person(pm):
    other = MembershipFactory(coalition=pm.coalition)
    services.membership_update_profile(
        actor_membership=pm,
        membership=other,
        organisation="Food bank",
        sector="nonprofit",
        title="Director",
        lived_experience=True,
    )
    other.refresh_from_db()
    assert other.organisation == "Food bank" and other.lived_experience is False
    services.membership_update_profile(
        actor_membership=other,
        membership=other,
        organisation="Food bank",
        sector="nonprofit",
        title="Director",
        lived_experience=True,
    )
    other.refresh_from_db()
    assert other.lived_experience is True


def test_bulk_understands_spanish_headers_and_labels(pm, django_capture_on_commit_callbacks):
    text = (
        "correo;nombre;función;organización;sector\n"
        "s@example.org;Sol;Responsable de datos;Ciudad;gobierno local\n"
        "t@example.org;Tere;integrante;;integrante de la comunidad\n"
    )
    report = bulk_invite(pm, text, django_capture_on_commit_callbacks)
    assert report.invited == 2, [r.message for r in report.rows]
    assert Invitation.objects.get(email="s@example.org").role == Role.DATA_LEAD
    assert Invitation.objects.get(email="s@example.org").sector == "local_government"
    assert Invitation.objects.get(email="t@example.org").sector == "community_member"


def test_invitations_of_another_coalition_are_refused(pm):
    other_pm = MembershipFactory(role=Role.PROJECT_MANAGER)
    theirs = invite(other_pm, email="theirs@example.org")
    with pytest.raises(ValidationError, match="not part of this coalition"):
        services.invitation_resend(actor_membership=pm, invitation=theirs)
    with pytest.raises(ValidationError, match="not part of this coalition"):
        services.invitation_revoke(actor_membership=pm, invitation=theirs)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and theirs.send_count == 1


def test_selectors_ignore_other_coalitions(pm, django_capture_on_commit_callbacks):
    from coalitions import selectors

    other_pm = MembershipFactory(role=Role.PROJECT_MANAGER)
    mine = invite(pm, email="mine@example.org")
    invite(other_pm, email="theirs@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        job = services.coalition_members_bulk_invite_start(actor_membership=pm, text="x@e.org")
        services.coalition_members_bulk_invite_start(actor_membership=other_pm, text="y@e.org")
    coalition = pm.coalition
    assert list(selectors.coalition_open_invitations(coalition)) == [mine]
    assert list(selectors.coalition_bulk_invitations(coalition)) == [job]
    assert {e.coalition_id for e in selectors.coalition_events(coalition)} == {coalition.pk}
    assert selectors.coalition_events(coalition).filter(subject_email="mine@example.org")

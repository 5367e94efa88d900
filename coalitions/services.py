"""Every write to coalitions, memberships, invitations and working groups."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.emails import email_limit_check, single_line, single_line_check
from accounts.models import User
from accounts.services import absolute_url, send_templated_email, user_find_by_email
from coalitions.models import (
    BulkInvitation,
    BulkRow,
    Coalition,
    CoalitionEvent,
    EventKind,
    Invitation,
    Membership,
    Role,
    Sector,
    WorkingGroup,
    hash_token,
)
from coalitions.permissions import Can, assignable_roles, require, role_allows
from core.jobs import job_enqueue_on_commit, job_fail, job_progress, job_retry, job_succeed
from metrics.models import Geography
from metrics.selectors import fold

INVITATION_DAYS = 14
BULK_MAX_ROWS = 500


def coalition_event_record(
    coalition: Coalition,
    kind: str,
    actor: User | None,
    *,
    subject: User | None = None,
    email: str = "",
    **details: object,
) -> None:
    """Write one line of the coalition's audit log (the activity page project managers read).

    ``details["label"]`` names what a plan or data event acted on ("3", "“Housing”").
    """
    CoalitionEvent.objects.create(
        coalition=coalition,
        kind=kind,
        actor=actor,
        subject=subject,
        subject_email=email or (subject.email if subject else ""),
        details=details,
    )


# --- Coalitions ----------------------------------------------------------------------


@transaction.atomic
def coalition_create(
    *, actor: User, name: str, geography: Geography, description: str = ""
) -> Coalition:
    """Create a coalition; its creator becomes its first project manager."""
    name = single_line_check(name, "name")
    if not name:
        raise ValidationError({"name": _("Give the coalition a name.")})
    coalition = Coalition.objects.create(
        name=name, geography=geography, description=description.strip(), created_by=actor
    )
    Membership.objects.create(coalition=coalition, user=actor, role=Role.PROJECT_MANAGER)
    coalition_event_record(coalition, EventKind.CREATED, actor, subject=actor)
    return coalition


@transaction.atomic
def coalition_update(*, actor_membership: Membership, name: str, description: str) -> Coalition:
    require(actor_membership, Can.RUN)
    coalition = actor_membership.coalition
    name = single_line_check(name, "name")
    if not name:
        raise ValidationError({"name": _("Give the coalition a name.")})
    coalition.name, coalition.description = name, description.strip()
    coalition.save(update_fields=["name", "description", "updated_at"])
    return coalition


# --- Invitations ---------------------------------------------------------------------


def _send_invitation(invitation: Invitation, token: str, site_url: str) -> None:
    send_templated_email(
        to=invitation.email,
        template="coalitions/email/invitation",
        context={
            "invitation": invitation,
            "coalition": invitation.coalition,
            "inviter": invitation.invited_by,
            "link": absolute_url(site_url, reverse("coalitions:invitation_accept", args=[token])),
            "days": INVITATION_DAYS,
        },
        language=invitation.language,
    )


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    return token


def _clean_invite(*, actor_membership: Membership, email: str, role: str, sector: str) -> str:
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("“%(email)s” is not a valid email address.") % {"email": email}
    if role not in Role.values:
        errors["role"] = _("“%(role)s” is not a role.") % {"role": role}
    elif Role(role) not in assignable_roles(actor_membership.role):
        errors["role"] = _("You cannot invite people as %(role)s.") % {"role": Role(role).label}
    if sector and sector not in Sector.values:
        errors["sector"] = _("“%(sector)s” is not a sector.") % {"sector": sector}
    if errors:
        raise ValidationError(errors)
    coalition = actor_membership.coalition
    if Membership.objects.filter(coalition=coalition, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    open_invitation = coalition.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if open_invitation is not None and open_invitation.is_open:
        raise ValidationError(
            {
                "email": _("%(email)s is already invited; send the invitation again instead.")
                % {"email": email}
            }
        )
    if open_invitation is not None:  # expired: close it so a new one can be made
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    return email


def coalition_member_invite(
    *,
    actor_membership: Membership,
    email: str,
    role: str = Role.MEMBER,
    name: str = "",
    organisation: str = "",
    sector: str = "",
    language: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite a person by email; the email goes out once the invitation is saved.

    ``language`` (default: the inviter's current one) is the email's, and the new account's
    from then on."""
    return _invitation_create(
        actor_membership=actor_membership,
        email=email,
        role=role,
        name=name,
        organisation=organisation,
        sector=sector,
        language=language or translation.get_language() or "",
        site_url=absolute_url(request, "/"),
    )


@transaction.atomic
def _invitation_create(
    *,
    actor_membership: Membership,
    email: str,
    role: str,
    name: str,
    organisation: str,
    sector: str,
    language: str,
    site_url: str,
) -> Invitation:
    require(actor_membership, Can.INVITE)
    email = _clean_invite(actor_membership=actor_membership, email=email, role=role, sector=sector)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    name = single_line_check(name, "name")
    organisation = single_line_check(organisation, "organisation")
    email_limit_check(email)
    invitation = Invitation(
        coalition=actor_membership.coalition,
        email=email,
        name=name.strip()[:150],
        role=role,
        organisation=organisation.strip()[:200],
        sector=sector,
        language=language,
        invited_by=actor_membership.user,
    )
    token = _new_token(invitation)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # a concurrent invitation of the same address won
        raise ValidationError(
            {"email": _("%(email)s is already invited.") % {"email": email}}
        ) from None
    coalition_event_record(
        invitation.coalition, EventKind.INVITED, actor_membership.user, email=email, role=role
    )
    transaction.on_commit(lambda: _send_invitation(invitation, token, site_url))
    return invitation


def _check_own_invitation(actor_membership: Membership, invitation: Invitation) -> None:
    if invitation.coalition_id != actor_membership.coalition_id:
        raise ValidationError(_("That invitation is not part of this coalition."))


@transaction.atomic
def invitation_resend(
    *, actor_membership: Membership, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry clock."""
    require(actor_membership, Can.INVITE)
    _check_own_invitation(actor_membership, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is closed; invite the person again."))
    email_limit_check(invitation.email, field="__all__")
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at", "send_count"])
    coalition_event_record(
        invitation.coalition,
        EventKind.INVITATION_RESENT,
        actor_membership.user,
        email=invitation.email,
    )
    site_url = absolute_url(request, "/")
    transaction.on_commit(lambda: _send_invitation(invitation, token, site_url))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor_membership: Membership, invitation: Invitation) -> Invitation:
    require(actor_membership, Can.INVITE)
    _check_own_invitation(actor_membership, invitation)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was accepted already; remove the member instead."))
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        coalition_event_record(
            invitation.coalition,
            EventKind.INVITATION_REVOKED,
            actor_membership.user,
            email=invitation.email,
        )
    return invitation


class InvitationError(Exception):
    """The token does not lead to an open invitation; the message says why."""


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("coalition", "coalition__geography", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            _(
                "This invitation link is not valid. It may have been replaced by a newer one: "
                "use the link in the latest email."
            )
        )
    if invitation.accepted_at:
        raise InvitationError(_("This invitation was used already. Sign in to see the coalition."))
    if invitation.revoked_at:
        raise InvitationError(_("This invitation was withdrawn. Ask the coalition for a new one."))
    if not invitation.is_open:
        raise InvitationError(
            _("This invitation has expired. Ask the person who invited you to send it again.")
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, name: str = "", password: str = ""
) -> Membership:
    """Accept an invitation as a signed-in person, or as a new account made here.

    A new account gets the invited address, already verified: the person proved it by
    following the emailed link.
    """
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:  # lost a race with another click
        raise InvitationError(_("This invitation was used already."))
    if user is None:
        if user_find_by_email(invitation.email):
            raise InvitationError(
                _("An account with this email exists. Sign in, then open the link again.")
            )
        user = User.objects.create_user(
            email=invitation.email,
            name=single_line_check(name, "name") or single_line(invitation.name),
            password=password,
            email_verified_at=timezone.now(),
            language=invitation.language,
        )
    elif invitation.language and not user.language:
        user.language = invitation.language
        user.save(update_fields=["language"])
    coalition = invitation.coalition
    membership, created = Membership.objects.get_or_create(
        coalition=coalition,
        user=user,
        defaults={
            "role": invitation.role,
            "organisation": invitation.organisation,
            "sector": invitation.sector,
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    coalition_event_record(
        coalition,
        EventKind.ACCEPTED,
        user,
        subject=user,
        email=user.email,
        invited_as=invitation.email,
        role=membership.role,
        already_member=not created,
    )
    return membership


BULK_COLUMNS = ("email", "name", "role", "organization", "sector")
# Header words people write, in English and Spanish, folded (lower case, no accents).
HEADER_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "correo": "email",
    "correo electronico": "email",
    "name": "name",
    "nombre": "name",
    "role": "role",
    "rol": "role",
    "funcion": "role",
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "organizacion": "organization",
    "sector": "sector",
}


def _labels(choice: type[models.TextChoices], value: str) -> set[str]:
    """The ways a choice may be written: its code, and its label in every language."""
    names = {fold(value), fold(value.replace("_", " "))}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(fold(str(choice(value).label)))
    return names


def _role_key(value: str) -> str:
    text = fold(value.strip().replace("-", " "))
    if not text:
        return Role.MEMBER
    for role in Role:
        if text in _labels(Role, role.value):
            return role.value
    return value.strip()


def _sector_key(value: str) -> str:
    text = fold(value.strip())
    for sector in Sector:
        if text in _labels(Sector, sector.value):
            return sector.value
    return value.strip()


def parse_bulk_text(text: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a pasted list or CSV: email, name, role, organization, sector.

    A header row is optional; a plain list of addresses (one per line) works too.
    Returns (line number, row) pairs; bad rows are reported later, per row.
    """
    text = text.lstrip("\ufeff")
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[tuple[int, dict[str, str]]] = []
    columns = list(BULK_COLUMNS)
    for index, cells in enumerate(reader, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        folded = [fold(c) for c in cells]
        if not rows and any(HEADER_ALIASES.get(c) == "email" for c in folded):
            columns = [HEADER_ALIASES.get(c, c) for c in folded]
            continue
        rows.append((index, dict(zip(columns, cells, strict=False))))
    return rows


def _check_bulk_size(rows: list[tuple[int, dict[str, str]]]) -> None:
    if len(rows) > BULK_MAX_ROWS:
        raise ValidationError(
            _("The list has %(n)d rows; send at most %(max)d at a time.")
            % {"n": len(rows), "max": BULK_MAX_ROWS}
        )


@transaction.atomic
def coalition_members_bulk_invite_start(
    *, actor_membership: Membership, text: str, request: HttpRequest | None = None
) -> BulkInvitation:
    """Check the list's size and hand it to the worker, which sends the emails.

    The job's report (``rows``, ``invited``, ``failed``) says what became of each row.
    """
    from coalitions.tasks import coalition_members_bulk_invite_run_task

    require(actor_membership, Can.INVITE)
    rows = parse_bulk_text(text)
    _check_bulk_size(rows)
    job = BulkInvitation.objects.create(
        coalition=actor_membership.coalition,
        started_by=actor_membership.user,
        text=text,
        progress_total=len(rows),
        site_url=absolute_url(request, "/"),
        language=translation.get_language() or "",
    )
    job_enqueue_on_commit(job, coalition_members_bulk_invite_run_task)
    return job


@transaction.atomic
def coalition_members_bulk_invite_retry(
    *, actor_membership: Membership, job: BulkInvitation
) -> BulkInvitation:
    """Work through a failed list again, as the person who retries it.

    Rows whose invitation the stopped run already sent are reported as already invited.
    """
    require(actor_membership, Can.INVITE)
    if job.coalition_id != actor_membership.coalition_id:
        raise ValidationError(_("That list is not part of this coalition."))
    # The person who retries acts for the rows (their role is checked again by the run).
    BulkInvitation.objects.filter(pk=job.pk).update(started_by=actor_membership.user)
    return job_retry(job, busy_message=_("This list is being worked through."))


def _bulk_row(
    job: BulkInvitation, actor_membership: Membership, line: int, row: dict[str, str]
) -> BulkRow:
    email = row.get("email", "").strip().lower()
    try:
        _invitation_create(
            actor_membership=actor_membership,
            email=email,
            name=row.get("name", ""),
            role=_role_key(row.get("role", "")),
            organisation=row.get("organization", ""),
            sector=_sector_key(row.get("sector", "")),
            language=job.language,
            site_url=job.site_url,
        )
    except ValidationError as exc:
        return BulkRow(line, email, False, " ".join(str(m) for m in exc.messages))
    return BulkRow(line, email, True, _("Invited."))


def coalition_members_bulk_invite_run(*, job: BulkInvitation) -> None:
    """What the worker does: invite every good row (each row all or nothing), keep the report.

    The person who started the job acts: their role is checked again, since it may have
    changed while the job waited.
    """
    actor_membership = (
        Membership.objects.select_related("coalition", "user")
        .filter(coalition_id=job.coalition_id, user_id=job.started_by_id)
        .first()
        if job.started_by_id is not None
        else None
    )
    with translation.override(job.language or None):
        if actor_membership is None or not role_allows(actor_membership.role, Can.INVITE):
            job_fail(job, _("The person who sent this list may no longer invite people."))
            return
        rows = parse_bulk_text(job.text)
        _check_bulk_size(rows)
        report: list[BulkRow] = []
        seen: set[str] = set()
        for done, (line, row) in enumerate(rows, start=1):
            email = row.get("email", "").strip().lower()
            if email in seen:
                report.append(BulkRow(line, email, False, _("Listed twice in this file.")))
            else:
                seen.add(email)
                report.append(_bulk_row(job, actor_membership, line, row))
            job_progress(job, done=done, total=len(rows))
    job.report = [asdict(row) for row in report]
    BulkInvitation.objects.filter(pk=job.pk).update(report=job.report)
    job_succeed(job)


# --- Memberships ---------------------------------------------------------------------


def _project_managers(coalition: Coalition) -> int:
    return coalition.memberships.filter(role=Role.PROJECT_MANAGER).count()


def _check_member_of_actors_coalition(actor_membership: Membership, membership: Membership) -> None:
    if membership.coalition_id != actor_membership.coalition_id:
        raise ValidationError(_("That person is not a member of this coalition."))


def _check_not_last_project_manager(
    membership: Membership, message: str, *, field: str | None = None
) -> None:
    """Refuse a change that would leave the coalition without a project manager.

    Call it after ``_lock`` so two project managers cannot both step down at once.
    """
    if membership.role == Role.PROJECT_MANAGER and _project_managers(membership.coalition) <= 1:
        raise ValidationError({field: message} if field else message)


def _lock(coalition: Coalition) -> None:
    # Serialises role changes per coalition so two project managers cannot demote each
    # other at once and leave none.
    Coalition.objects.select_for_update().filter(pk=coalition.pk).first()


@transaction.atomic
def membership_change_role(
    *, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    require(actor_membership, Can.RUN)
    _check_member_of_actors_coalition(actor_membership, membership)
    if role not in Role.values:
        raise ValidationError({"role": _("“%(role)s” is not a role.") % {"role": role}})
    _lock(membership.coalition)
    membership.refresh_from_db()
    if role != Role.PROJECT_MANAGER:
        _check_not_last_project_manager(
            membership,
            _(
                "A coalition needs at least one project manager. "
                "Make someone else project manager first."
            ),
            field="role",
        )
    old = membership.role
    if old != role:
        membership.role = role
        membership.save(update_fields=["role"])
        coalition_event_record(
            membership.coalition,
            EventKind.ROLE_CHANGED,
            actor_membership.user,
            subject=membership.user,
            old=old,
            new=role,
        )
    return membership


@transaction.atomic
def membership_remove(*, actor_membership: Membership, membership: Membership) -> None:
    require(actor_membership, Can.RUN)
    _check_member_of_actors_coalition(actor_membership, membership)
    _lock(membership.coalition)
    _check_not_last_project_manager(
        membership,
        _("This is the only project manager. Make someone else project manager first."),
    )
    coalition_event_record(
        membership.coalition, EventKind.REMOVED, actor_membership.user, subject=membership.user
    )
    membership.delete()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    _lock(membership.coalition)
    _check_not_last_project_manager(
        membership,
        _("You are the only project manager. Hand the role to someone else before leaving."),
    )
    coalition_event_record(
        membership.coalition, EventKind.LEFT, membership.user, subject=membership.user
    )
    membership.delete()


@transaction.atomic
def project_manager_hand_over(*, actor_membership: Membership, to: Membership) -> Membership:
    """Make ``to`` project manager; the actor stays on the management team."""
    require(actor_membership, Can.RUN)
    _check_member_of_actors_coalition(actor_membership, to)
    if to.pk == actor_membership.pk:
        raise ValidationError(_("Choose someone other than yourself."))
    _lock(to.coalition)
    to.role = Role.PROJECT_MANAGER
    to.save(update_fields=["role"])
    actor_membership.role = Role.MANAGEMENT_TEAM
    actor_membership.save(update_fields=["role"])
    coalition_event_record(
        to.coalition, EventKind.HANDED_OVER, actor_membership.user, subject=to.user
    )
    return to


@transaction.atomic
def membership_update_profile(
    *,
    actor_membership: Membership,
    membership: Membership,
    organisation: str,
    sector: str,
    title: str,
    lived_experience: bool | None = None,
    listed_in_plan: bool | None = None,
) -> Membership:
    """People edit their own details; project managers may edit others' (not the private flag).

    ``listed_in_plan`` (None: unchanged) is the consent to name the organisation in the plan.
    """
    own = actor_membership.pk == membership.pk
    if not own:
        require(actor_membership, Can.RUN)
    _check_member_of_actors_coalition(actor_membership, membership)
    if sector and sector not in Sector.values:
        raise ValidationError({"sector": _("“%(sector)s” is not a sector.") % {"sector": sector}})
    membership.organisation, membership.sector, membership.title = (
        single_line_check(organisation, "organisation"),
        sector,
        single_line_check(title, "title"),
    )
    fields = ["organisation", "sector", "title"]
    if own and lived_experience is not None:
        membership.lived_experience = lived_experience
        fields.append("lived_experience")
    if listed_in_plan is not None:
        if listed_in_plan and not membership.organisation:
            raise ValidationError(
                {"listed_in_plan": _("Give the organization's name first, then it can be listed.")}
            )
        membership.listed_in_plan = listed_in_plan
        fields.append("listed_in_plan")
    membership.save(update_fields=fields)
    if not own:
        coalition_event_record(
            membership.coalition,
            EventKind.PROFILE_CHANGED,
            actor_membership.user,
            subject=membership.user,
        )
    return membership


@transaction.atomic
def membership_listing_set(
    *, actor_membership: Membership, membership: Membership, listed: bool
) -> Membership:
    """Say whether a member's organisation is named among the plan's partners: the member for
    themself, or the project manager for anyone."""
    own = actor_membership.pk == membership.pk
    if not own:
        require(actor_membership, Can.RUN)
    _check_member_of_actors_coalition(actor_membership, membership)
    if listed and not membership.organisation.strip():
        raise ValidationError(
            {"listed_in_plan": _("Give the organization's name first, then it can be listed.")}
        )
    membership.listed_in_plan = listed
    membership.save(update_fields=["listed_in_plan"])
    if not own:
        coalition_event_record(
            membership.coalition,
            EventKind.PROFILE_CHANGED,
            actor_membership.user,
            subject=membership.user,
        )
    return membership


# --- Working groups ------------------------------------------------------------------


def _check_group_members(
    coalition: Coalition, lead: Membership | None, members: list[Membership]
) -> None:
    for m in [*members, *([lead] if lead else [])]:
        if m.coalition_id != coalition.pk:
            raise ValidationError(_("Working group members must belong to this coalition."))


@transaction.atomic
def working_group_save(
    *,
    actor_membership: Membership,
    name: str,
    description: str = "",
    lead: Membership | None = None,
    members: list[Membership] | None = None,
    group: WorkingGroup | None = None,
) -> WorkingGroup:
    require(actor_membership, Can.INVITE)
    coalition = actor_membership.coalition
    members = list(members or [])
    _check_group_members(coalition, lead, members)
    name = single_line_check(name, "name")
    if not name:
        raise ValidationError({"name": _("Give the working group a name.")})
    clash = coalition.working_groups.filter(name__iexact=name)
    if group is not None:
        if group.coalition_id != coalition.pk:
            raise ValidationError(_("That working group is not part of this coalition."))
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a working group with this name.")})
    group = group or WorkingGroup(coalition=coalition)
    group.name, group.description, group.lead = name, description.strip(), lead
    group.save()
    if lead is not None and lead not in members:
        members.append(lead)
    group.members.set(members)
    return group


@transaction.atomic
def working_group_delete(*, actor_membership: Membership, group: WorkingGroup) -> None:
    require(actor_membership, Can.INVITE)
    if group.coalition_id != actor_membership.coalition_id:
        raise ValidationError(_("That working group is not part of this coalition."))
    group.delete()

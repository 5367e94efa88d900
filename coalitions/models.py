from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BackgroundJob


class Role(models.TextChoices):
    """Coalition roles, from the planning guide, lowest to highest."""

    VIEWER = "viewer", _("Viewer")
    MEMBER = "member", _("Member")
    MANAGEMENT_TEAM = "management_team", _("Management team")
    DATA_LEAD = "data_lead", _("Data lead")
    PROJECT_MANAGER = "project_manager", _("Project manager")


# Each role can do everything the roles below it can (the data lead sits on the
# management team; the project manager runs the whole coalition).
ROLE_RANK = {role: rank for rank, role in enumerate(Role)}


class Sector(models.TextChoices):
    """The guide's actor types."""

    LOCAL_GOVERNMENT = "local_government", _("Local government")
    NONPROFIT = "nonprofit", _("Nonprofit or community-based organization")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    RESEARCH = "research", _("Research organization")
    ANCHOR = "anchor", _("Anchor institution")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ADVOCACY = "advocacy", _("Advocacy group")
    COMMUNITY_MEMBER = "community_member", _("Community member")


class CoalitionQuerySet(models.QuerySet["Coalition"]):
    def for_user(self, user: Any) -> CoalitionQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user)


class Coalition(models.Model):
    """The workspace of one local planning effort for one county or city."""

    name = models.CharField(_("name"), max_length=150)
    geography = models.ForeignKey(
        "metrics.Geography",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="coalitions",
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    # A city's coalition may show its county's values beside its own (chosen by the
    # project manager or data lead on the profile page); empty: not shown.
    comparison_county = models.ForeignKey(
        "metrics.Geography",
        verbose_name=_("county shown beside the city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CoalitionQuerySet] = CoalitionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    organisation = models.CharField(_("organization"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    title = models.CharField(_("title"), max_length=150, blank=True)
    # Private: shown to the person only; others see a count, never a name.
    lived_experience = models.BooleanField(
        _("I have lived experience of the issues this coalition works on"), default=False
    )
    # Consent to name the member's organisation among the partners in the published plan;
    # off until the member (or the project manager) says so.
    listed_in_plan = models.BooleanField(
        _("List the organization among the partners in the published plan"), default=False
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ("user__name", "user__email")
        constraints = [
            models.UniqueConstraint(fields=("coalition", "user"), name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.coalition}"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


class WorkingGroup(models.Model):
    """A sub-team (Step 6) with a lead, used to assign work."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="working_groups"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("focus"), blank=True, max_length=2000)
    lead = models.ForeignKey(
        Membership,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_groups",
    )
    members = models.ManyToManyField(
        Membership, verbose_name=_("members"), blank=True, related_name="working_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("coalition", "name"), name="working_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Invitation(models.Model):
    """A single-use, expiring invitation by email. Only the token's hash is stored."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    organisation = models.CharField(_("organization"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    # The language of the invitation email, and the new account's language from then on.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)
        constraints = [
            # One open invitation per address and coalition; resend it instead.
            models.UniqueConstraint(
                fields=("coalition", "email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.coalition}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.PENDING


class BulkInvitation(BackgroundJob):
    """A pasted list or CSV of people to invite, worked through by the worker.

    ``report`` holds one entry per row once the job has run: line, email, ok, message.
    ``site_url`` and ``language`` keep what the request knew, so the emails the worker sends
    carry absolute links and speak the inviter's language.
    """

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="bulk_invitations"
    )
    text = models.TextField(_("list"))
    site_url = models.CharField(_("site address"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)

    TASK = "coalitions.tasks.coalition_members_bulk_invite_run_task"
    RESULT_FIELDS = ("report",)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("bulk invitation")
        verbose_name_plural = _("bulk invitations")

    def __str__(self) -> str:
        return f"Bulk invitation {self.pk} ({self.status})"

    @property
    def rows(self) -> list[BulkRow]:
        return [BulkRow(**row) for row in self.report]

    @property
    def invited(self) -> int:
        return sum(1 for row in self.report if row["ok"])

    @property
    def failed(self) -> int:
        return sum(1 for row in self.report if not row["ok"])


@dataclass(frozen=True)
class BulkRow:
    """One row of a bulk invitation's report."""

    line: int
    email: str
    ok: bool
    message: str


class EventKind(models.TextChoices):
    CREATED = "created", _("created the coalition")
    INVITED = "invited", _("invited")
    INVITATION_RESENT = "invitation_resent", _("sent the invitation again to")
    INVITATION_REVOKED = "invitation_revoked", _("revoked the invitation of")
    ACCEPTED = "accepted", _("accepted the invitation")
    ROLE_CHANGED = "role_changed", _("changed the role of")
    REMOVED = "removed", _("removed")
    LEFT = "left", _("left the coalition")
    HANDED_OVER = "handed_over", _("handed the project manager role to")
    PROFILE_CHANGED = "profile_changed", _("changed the member details of")
    # The plan and the data: the label names what was acted on (details["label"]).
    REVIEW_REQUESTED = "review_requested", _("asked members to review the plan")
    REVIEW_DECIDED = "review_decided", _("recorded a review decision:")
    VERSION_FROZEN = "version_frozen", _("froze the plan as version")
    VERSION_PUBLISHED = "version_published", _("published plan version")
    VERSION_UNPUBLISHED = "version_unpublished", _("unpublished plan version")
    EXPORT_STARTED = "export_started", _("started an export of")
    PLAN_SETTINGS_CHANGED = "plan_settings_changed", _("changed the plan's cover and front matter")
    PUBLICATION_CHANGED = "publication_changed", _("changed what the plan publishes:")
    RECORD_DELETED = "record_deleted", _("deleted")
    GOAL_SAVED = "goal_saved", _("set the headline goal")
    DATA_IMPORTED = "data_imported", _("loaded the local dataset")
    DATA_DELETED = "data_deleted", _("deleted the local dataset")
    WORKSPACE_EXPORTED = "workspace_exported", _("exported the whole workspace")
    WORKSPACE_IMPORTED = "workspace_imported", _("imported a workspace")
    STEP_STATUS_CHANGED = "step_status_changed", _("changed the status of")
    COUNTY_COMPARISON = "county_comparison", _("chose the county shown beside the city:")
    ACTION_STATUS_CHANGED = "action_status_changed", _("changed the implementation status of")
    NOTE_CORRECTED = "note_corrected", _("corrected")
    SCORECARD_PUBLISHED = "scorecard_published", _("published the scorecard")
    SCORECARD_UNPUBLISHED = "scorecard_unpublished", _("withdrew the public scorecard")
    CYCLE_STARTED = "cycle_started", _("started a new plan cycle from version")
    PROGRESS_REPORT_MADE = "progress_report_made", _("made a progress report for")
    VALUES_ENTERED = "values_entered", _("entered values of the measure")
    SUBGROUP_TARGETS_SAVED = "subgroup_targets_saved", _("set the subgroup targets of")


class CoalitionEvent(models.Model):
    """The coalition's audit log (membership, the plan, data), read by project managers."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_email = models.EmailField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} {self.subject_email}"

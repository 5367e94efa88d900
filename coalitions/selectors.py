"""Scoped reads of coalition data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import (
    BulkInvitation,
    Coalition,
    CoalitionEvent,
    Invitation,
    Membership,
    Role,
    Sector,
    WorkingGroup,
)


def coalitions_for_user(user: User) -> QuerySet[Coalition]:
    return (
        Coalition.objects.for_user(user)
        .select_related("geography")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def memberships_of_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("coalition", "coalition__geography")


def coalition_members(coalition: Coalition) -> QuerySet[Membership]:
    return (
        coalition.memberships.select_related("user")
        .prefetch_related(Prefetch("working_groups", queryset=WorkingGroup.objects.only("name")))
        .order_by("user__name", "user__email")
    )


def coalition_invitations(coalition: Coalition) -> QuerySet[Invitation]:
    return coalition.invitations.select_related("invited_by", "accepted_by")


def coalition_bulk_invitations(coalition: Coalition) -> QuerySet[BulkInvitation]:
    """The coalition's lists of people to invite, newest first (the list text is left out)."""
    return (
        BulkInvitation.objects.filter(coalition=coalition)
        .select_related("started_by")
        .defer("text")
        .order_by("-created_at", "-pk")
    )


def coalition_open_invitations(coalition: Coalition) -> QuerySet[Invitation]:
    """Invitations not yet accepted or withdrawn (expired ones included)."""
    return Invitation.objects.filter(
        coalition=coalition, accepted_at__isnull=True, revoked_at__isnull=True
    )


def coalition_events(coalition: Coalition) -> QuerySet[CoalitionEvent]:
    """The coalition's audit log, newest first."""
    return CoalitionEvent.objects.filter(coalition=coalition).select_related("actor", "subject")


def coalition_working_groups(coalition: Coalition) -> QuerySet[WorkingGroup]:
    return coalition.working_groups.select_related("lead__user").prefetch_related(
        Prefetch("members", queryset=Membership.objects.select_related("user"))
    )


@dataclass
class Composition:
    total: int
    by_role: list[tuple[str, int]]
    by_sector: list[tuple[str, int]]
    by_group: list[tuple[str, int]]
    lived_experience: int
    gaps: list[str]


def coalition_composition(coalition: Coalition) -> Composition:
    """Members by role, sector and working group, and the gaps the guide warns about."""
    members = list(coalition.memberships.values("role", "sector", "lived_experience"))
    role_counts = dict.fromkeys(Role.values, 0)
    sector_counts = dict.fromkeys(Sector.values, 0)
    unknown_sector = 0
    for m in members:
        role_counts[m["role"]] += 1
        if m["sector"]:
            sector_counts[m["sector"]] += 1
        else:
            unknown_sector += 1
    by_sector = [(str(Sector(s).label), n) for s, n in sector_counts.items()]
    if unknown_sector:
        by_sector.append((_("Not given"), unknown_sector))
    groups = coalition.working_groups.annotate(n=Count("members")).order_by("name")
    gaps = []
    if not sector_counts[Sector.COMMUNITY_MEMBER]:
        gaps.append(
            _(
                "No community members. The guide puts people with lived experience at the "
                "center: invite residents and pay them for their time."
            )
        )
    if not role_counts[Role.DATA_LEAD]:
        gaps.append(
            _(
                "No data lead. Someone with data skills should lead the review of the "
                "Mobility Metrics and local data."
            )
        )
    if not sector_counts[Sector.LOCAL_GOVERNMENT]:
        gaps.append(
            _(
                "No local government partner. The plan needs the commitment of your "
                "government's leadership and staff."
            )
        )
    return Composition(
        total=len(members),
        by_role=[(str(Role(r).label), n) for r, n in role_counts.items()],
        by_sector=by_sector,
        by_group=[(g.name, g.n) for g in groups],
        lived_experience=sum(1 for m in members if m["lived_experience"]),
        gaps=gaps,
    )

"""Access to coalition data, decided in one place.

Every view and API endpoint of a coalition goes through ``get_coalition_for_user``:
not a member → 404 (the coalition's existence is not revealed); a member whose role is
too low → 403. The capabilities below are the matrix of docs/permissions.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from coalitions.models import ROLE_RANK, Coalition, Membership, Role


class Can(StrEnum):
    VIEW = "view"  # read everything of the coalition shared with members
    CONTRIBUTE = "contribute"  # fill in worksheets, comment
    INVITE = "invite"  # invite people, manage working groups
    MANAGE_DATA = "manage_data"  # import data, compile individual responses
    RUN = "run"  # roles, removals, hand-over, settings, audit log, approvals


MIN_ROLE: dict[Can, Role] = {
    Can.VIEW: Role.VIEWER,
    Can.CONTRIBUTE: Role.MEMBER,
    Can.INVITE: Role.MANAGEMENT_TEAM,
    Can.MANAGE_DATA: Role.DATA_LEAD,
    Can.RUN: Role.PROJECT_MANAGER,
}


def role_allows(role: str, action: Can) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[MIN_ROLE[action]]


def membership_for(user: Any, coalition_id: int | str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        coalition_id = int(coalition_id)
    except (TypeError, ValueError):
        return None
    return (
        Membership.objects.select_related("coalition", "coalition__geography", "user")
        .filter(coalition_id=coalition_id, user=user)
        .first()
    )


def get_coalition_for_user(
    user: object, pk: int | str, *, can: Can = Can.VIEW
) -> tuple[Coalition, Membership]:
    """Return the coalition and the user's membership, or raise 404/403."""
    membership = membership_for(user, pk)
    if membership is None:
        raise Http404("No such coalition")
    if not role_allows(membership.role, can):
        raise PermissionDenied
    return membership.coalition, membership


def require(membership: Membership, action: Can) -> None:
    """What every service that acts for a member checks first: 403 for a role too low."""
    if not role_allows(membership.role, action):
        raise PermissionDenied


def assignable_roles(actor_role: str) -> list[Role]:
    """Roles a person may give when inviting or changing roles."""
    if actor_role == Role.PROJECT_MANAGER:
        return list(Role)
    if role_allows(actor_role, Can.INVITE):
        return [Role.VIEWER, Role.MEMBER]
    return []

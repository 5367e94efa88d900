"""Who may do what with worksheets, on top of the coalition's ``Can`` capabilities.

Coalition access itself is always decided by ``coalitions.permissions.get_coalition_for_user``;
these helpers only narrow it per worksheet (the definitions list which app roles fill each one).
"""

from __future__ import annotations

from coalitions.models import Membership, Role
from coalitions.permissions import Can, role_allows
from plans.content import Worksheet


def may_edit_worksheet(membership: Membership, ws: Worksheet) -> bool:
    """Coalition worksheets: CONTRIBUTE and a role the definition names.

    The project manager runs the coalition and may fill any worksheet; the data lead sits on the
    management team, so a worksheet open to the management team is open to the data lead too.
    Individual worksheets: every member with one of the roles fills their own.
    """
    role = membership.role
    if not role_allows(role, Can.CONTRIBUTE):
        return False
    if role == Role.PROJECT_MANAGER:
        return True
    roles = set(ws.filled_by.roles)
    if role == Role.DATA_LEAD and Role.MANAGEMENT_TEAM in roles:
        return True
    return role in roles


def may_compile(membership: Membership) -> bool:
    return role_allows(membership.role, Can.MANAGE_DATA)


def may_run(membership: Membership) -> bool:
    return role_allows(membership.role, Can.RUN)


def may_assign(membership: Membership) -> bool:
    return role_allows(membership.role, Can.INVITE)  # the management team and above


def may_comment(membership: Membership) -> bool:
    return role_allows(membership.role, Can.CONTRIBUTE)

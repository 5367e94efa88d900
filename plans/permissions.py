"""Who may do what with worksheets, on top of the coalition's ``Can`` capabilities.

Coalition access itself is always decided by ``coalitions.permissions.get_coalition_for_user``;
these helpers only narrow it per worksheet (the definitions list which app roles fill each one).
Services check with ``require_worksheet_edit`` and ``require_own``; pages use
``may_edit_worksheet`` for what they show.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coalitions.models import Membership, Role
from coalitions.permissions import Can, role_allows
from plans.content import Worksheet
from plans.models import WorksheetResponse


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


def require_worksheet_edit(membership: Membership, ws: Worksheet) -> None:
    """403 unless the member may fill this worksheet."""
    if not may_edit_worksheet(membership, ws):
        raise PermissionDenied(_("Your role may not change this worksheet."))


def require_own(membership: Membership, response: WorksheetResponse) -> None:
    """A response is changed only inside the member's coalition, and individual answers only by
    the member who gives them."""
    if response.coalition_id != membership.coalition_id or (
        response.owner_id is not None and response.owner_id != membership.pk
    ):
        raise PermissionDenied(_("Only the member who gives these answers may change them."))

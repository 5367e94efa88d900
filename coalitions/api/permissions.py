from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can, get_coalition_for_user


class CoalitionScopedMixin:
    """Views under /api/coalitions/{coalition_pk}/…: resolve the coalition once, via the helper.

    ``read_action`` applies to safe methods, ``write_action`` to the rest; list and create
    are checked here too (DRF runs object permissions only for single objects).
    """

    read_action: Can = Can.VIEW
    write_action: Can = Can.RUN
    kwargs: dict[str, Any]

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        action = (
            self.read_action if request.method in ("GET", "HEAD", "OPTIONS") else self.write_action
        )
        try:
            self.coalition, self.membership = get_coalition_for_user(
                request.user, self.kwargs["coalition_pk"], can=action
            )
        except Http404:
            raise NotFound() from None

    coalition: Coalition
    membership: Membership


class IsCoalitionMember(BasePermission):
    """For /api/coalitions/{pk}/: any member reads, project managers write."""

    def has_object_permission(self, request: Request, view: object, obj: Coalition) -> bool:
        from coalitions.permissions import membership_for, role_allows

        membership = membership_for(request.user, obj.pk)
        if membership is None:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return role_allows(membership.role, Can.RUN)

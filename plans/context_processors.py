"""The "My work" badge of the coalition menu, on every coalition page of every app."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from plans import selectors


def workspace(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "coalition_membership", None)
    if membership is None:
        return {}

    # A callable: templates call it, so the count is queried only on pages that show the menu,
    # and once however often the page reads it.
    @cache
    def unread() -> int:
        return selectors.unread_notifications(membership.user, membership.coalition).count()

    return {"unread": unread}

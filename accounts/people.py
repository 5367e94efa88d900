"""How a person is named to others, including a person whose account was deleted.

History rows (revisions, comments, notes, ticks, audit events) keep their author as a
nullable foreign key that becomes NULL when the account is deleted; they still name
someone, so every page and document names them through ``person_name``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def person_name(user: Any) -> str:
    """The user's name (or email), or "Former member" for a deleted account."""
    if user is None:
        return _("Former member")
    return str(getattr(user, "name", "") or getattr(user, "email", "") or _("Former member"))

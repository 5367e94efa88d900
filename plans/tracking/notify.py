"""In-app notifications of values over time (a release changed a coalition's measures).

Minimal on purpose: the notify helper routes notifications by kind (preferences, digests).
Every notification of this package is made here, through ``notification_create``.
"""

from __future__ import annotations

from accounts.models import User
from coalitions.models import Coalition
from plans.models import Notification

RELEASE_CHANGES = "release_changes"
KINDS = frozenset({RELEASE_CHANGES})


def notification_create(
    *, user: User, coalition: Coalition, kind: str, text: str, url: str = ""
) -> Notification:
    """Notify ``user`` in ``coalition``. ``kind`` (e.g. ``"release_changes"``) says what the
    notification is about; it must be one of ``KINDS`` and will decide routing (in-app,
    digest) once people choose their preferences."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    return Notification.objects.create(user=user, coalition=coalition, text=text[:300], url=url)

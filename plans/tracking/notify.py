"""In-app notifications of values over time (a release changed a coalition's measures).

Every notification of this package is made here, through ``notification_create`` (or
``notifications_create_many`` for many people at once), which hands it to
``notifications.services.notification_send`` (``notifications_send_many``): the person's
choice for the kind decides whether it shows in the app only, goes by email at once or in
a digest, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise

from accounts.models import User
from coalitions.models import Coalition
from notifications.services import Recipient, notification_send, notifications_send_many
from plans.models import Notification, NotificationKind

RELEASE_CHANGES = NotificationKind.RELEASE_CHANGES.value
KINDS = frozenset({RELEASE_CHANGES})


def notification_create(
    *,
    user: User,
    coalition: Coalition,
    kind: str,
    text: str | Promise,
    url: str = "",
    params: Mapping[str, Any] | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    """Notify ``user`` in ``coalition`` about ``kind`` (one of ``KINDS``). Pass ``text`` as a
    ``gettext_lazy`` sentence with ``params`` so it is written in the recipient's language.
    None when the person chose nothing for this kind (or already has ``dedupe_key``)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    return notification_send(
        user=user,
        coalition=coalition,
        kind=kind,
        text=text,
        params=params,
        url=url,
        dedupe_key=dedupe_key,
    )


def notifications_create_many(
    *, kind: str, text: str | Promise, recipients: Iterable[Recipient]
) -> list[Notification]:
    """``notification_create`` for many people at once (a job telling every member of many
    coalitions), through ``notifications.services.notifications_send_many``: each person's
    choice for ``kind`` applies as it does one by one."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    return notifications_send_many(kind=kind, text=text, recipients=recipients)

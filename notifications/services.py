"""Every notification goes through ``notification_send``; emails (at once or in digests) and
unsubscribing live here too.

Texts are rendered once, when the notification is made, in the recipient's language
(``User.language``, else the site's default): a notification is a short sentence a person
reads soon after, and a stored sentence stays readable in the app, in emails and in the API
without the code that wrote it. A person who changes language sees new notifications in it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.emails import email_send
from accounts.models import User
from accounts.services import absolute_url
from coalitions.models import Coalition
from notifications.models import (
    DEFAULT_DELIVERY,
    EMAIL_DELIVERIES,
    Delivery,
    NotificationPreference,
)
from plans.models import DigestPeriod, Notification, NotificationKind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


# --- preferences ---------------------------------------------------------------------------


def notification_preferences(user: User) -> dict[str, str]:
    """Every kind with the person's delivery for it (their choice, else the default)."""
    chosen = dict(user.notification_preferences.values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind.values}


def _delivery(user: User, kind: str) -> str:
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return row.delivery if row else DEFAULT_DELIVERY[kind]


@transaction.atomic
def notification_preferences_save(*, user: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Save the person's choices (only the kinds given) and return them all.

    Notifications waiting for a digest follow the new choice: into the other digest, or out
    of every email when the person chose the app only or nothing."""
    errors = {}
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values:
            errors[kind] = _("“%(kind)s” is not a kind of notification.") % {"kind": kind}
        elif delivery not in Delivery.values:
            errors[kind] = _("Choose how this kind of notification reaches you.")
    if errors:
        raise ValidationError(errors)
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )
        digest = delivery if delivery in DigestPeriod.values else ""
        Notification.objects.filter(user=user, kind=kind, emailed_at=None).exclude(
            digest=""
        ).update(digest=digest)
    return notification_preferences(user)


# --- sending -------------------------------------------------------------------------------


class Deferred:
    """A parameter rendered with the text, in the recipient's language (a date in words, a
    worksheet title): ``Deferred(lambda: date_format(day))``."""

    def __init__(self, render: Callable[[], str]) -> None:
        self.render = render

    def __str__(self) -> str:
        return str(self.render())


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _format(text: str | Promise, params: Mapping[str, Any] | None) -> str:
    # ``%`` on the lazy text keeps ``ngettext_lazy(..., "count")`` choosing its plural from
    # ``params``; Deferred parameters render as the text is formatted, in the active language.
    return (str(text % dict(params)) if params else str(text))[:300]


def _render(text: str | Promise, params: Mapping[str, Any] | None, language: str) -> str:
    with translation.override(language):
        return _format(text, params)


def notification_send(
    *,
    user: User,
    coalition: Coalition,
    kind: str,
    text: str | Promise,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    body: str = "",
    dedupe_key: str = "",
    site_url: str | None = None,
    delivery: str | None = None,
) -> Notification | None:
    """Tell ``user`` something about ``coalition``, the way they chose for ``kind``.

    ``text`` is a lazy translatable sentence (``gettext_lazy``) with ``%(name)s``
    placeholders filled from ``params``, rendered in the recipient's language; a plain
    string is kept as it is. ``body`` (a comment, say) goes into an immediate email only.
    With a ``dedupe_key`` ("milestone:12:2026-05-01:overdue") the person gets one
    notification per kind and key, however often this is called: None then, and when the
    person chose nothing for this kind. An email, if any, leaves once the transaction commits.
    ``delivery`` is the person's saved choice for ``kind`` when the caller read everyone's
    at once (the beat); None reads it here.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    delivery = delivery or _delivery(user, kind)
    if delivery == Delivery.OFF or not user.is_active:
        return None
    if (
        dedupe_key
        and Notification.objects.filter(user=user, kind=kind, dedupe_key=dedupe_key).exists()
    ):
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                coalition=coalition,
                kind=kind,
                text=_render(text, params, _language(user)),
                url=url[:300],
                dedupe_key=dedupe_key[:120],
                digest=delivery if delivery in DigestPeriod.values else "",
            )
    except IntegrityError:  # a concurrent run made it first
        return None
    if delivery == Delivery.IMMEDIATE:
        _enqueue_email(notification.pk, body, site_url or settings.SITE_URL)
    return notification


@dataclass(frozen=True)
class Recipient:
    """One person to tell in ``notifications_send_many``: who, in which coalition, with which
    parameters of the shared text, and the link."""

    user: User
    coalition_id: int
    params: Mapping[str, Any] | None = None
    url: str = ""


def notifications_send_many(
    *,
    kind: str,
    text: str | Promise,
    recipients: Iterable[Recipient],
    site_url: str | None = None,
) -> list[Notification]:
    """``notification_send`` for many people at once (a job telling every member of many
    coalitions): the same rules, texts and emails, with everyone's choice for ``kind`` read in
    one query and the notifications written in batches. No ``dedupe_key`` (use
    ``notification_send``) and no ``body``."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    recipients = [r for r in recipients if r.user.is_active]
    chosen = dict(
        NotificationPreference.objects.filter(
            kind=kind, user_id__in={r.user.pk for r in recipients}
        ).values_list("user_id", "delivery")
    )
    sending = []
    for recipient in recipients:
        delivery = chosen.get(recipient.user.pk, DEFAULT_DELIVERY[kind])
        if delivery != Delivery.OFF:
            sending.append((recipient, delivery))
    # Rendered language by language (one switch each), kept in the order given.
    by_language: dict[str, list[int]] = {}
    for i, (recipient, _delivery) in enumerate(sending):
        by_language.setdefault(_language(recipient.user), []).append(i)
    texts = [""] * len(sending)
    for language, indexes in by_language.items():
        with translation.override(language):
            for i in indexes:
                texts[i] = _format(text, sending[i][0].params)
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=recipient.user,
                coalition_id=recipient.coalition_id,
                kind=kind,
                text=rendered,
                url=recipient.url[:300],
                digest=delivery if delivery in DigestPeriod.values else "",
            )
            for (recipient, delivery), rendered in zip(sending, texts, strict=True)
        ],
        batch_size=500,
    )
    immediate = [
        n.pk
        for n, (_recipient, delivery) in zip(notifications, sending, strict=True)
        if delivery == Delivery.IMMEDIATE
    ]
    url = site_url or settings.SITE_URL
    for pk in immediate:
        _enqueue_email(pk, "", url)
    return notifications


def _enqueue_email(notification_id: int, body: str, site_url: str) -> None:
    from notifications.tasks import notification_email_send_task

    def enqueue() -> None:
        # The notification is saved; a broker (or, run in-process, a mail server) that is
        # down must not turn that into an error page. The failure is logged for operators.
        try:
            notification_email_send_task.delay(notification_id, body, site_url)
        except Exception:
            logger.exception("Could not send the email of notification %s", notification_id)

    transaction.on_commit(enqueue)


def unsubscribe_url(user: User, kinds: Iterable[str], site_url: str) -> str:
    token = signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)
    return absolute_url(site_url, reverse("notifications:unsubscribe", args=[token]))


def _headers(unsubscribe: str) -> dict[str, str]:
    # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the link itself.
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def notification_email_send(*, notification_id: int, body: str = "", site_url: str) -> bool:
    """Email one notification now (what the worker does for "an email at once")."""
    notification = (
        Notification.objects.select_related("user", "coalition")
        .filter(pk=notification_id, emailed_at=None)
        .first()
    )
    if notification is None:
        return False
    user = notification.user
    unsubscribe = unsubscribe_url(user, [notification.kind], site_url)
    sent = email_send(
        to=user.email,
        template="notifications/email/notification",
        context={
            "text": notification.text,
            "body": body,
            "coalition": notification.coalition,
            "link": absolute_url(site_url, notification.url) if notification.url else "",
            "kind_label": NotificationKind(notification.kind).label,
            "unsubscribe": unsubscribe,
            "preferences": absolute_url(site_url, reverse("notifications:preferences")),
        },
        language=_language(user),
        headers=_headers(unsubscribe),
    )
    if sent:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


def digest_send(*, user: User, period: str, site_url: str) -> int:
    """Send the person's daily or weekly digest: one email, grouped by coalition. Returns
    how many notifications it carried (0: nothing waited, or the address's limit was hit and
    they wait for the next run)."""
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update()
            .filter(user=user, digest=period, emailed_at=None)
            .select_related("coalition")
            .order_by("coalition__name", "coalition_id", "created_at", "pk")
        )
        if not items:
            return 0
        kinds = sorted({n.kind for n in items})
        unsubscribe = unsubscribe_url(user, kinds, site_url)
        groups: dict[int, dict[str, Any]] = {}
        for n in items:
            group = groups.setdefault(n.coalition_id, {"coalition": n.coalition, "items": []})
            group["items"].append(
                {"text": n.text, "link": absolute_url(site_url, n.url) if n.url else ""}
            )
        sent = email_send(
            to=user.email,
            template="notifications/email/digest",
            context={
                "period": period,
                "count": len(items),
                "groups": list(groups.values()),
                "unsubscribe": unsubscribe,
                "kind_links": [
                    {
                        "label": NotificationKind(k).label,
                        "link": unsubscribe_url(user, [k], site_url),
                    }
                    for k in kinds
                ],
                "preferences": absolute_url(site_url, reverse("notifications:preferences")),
            },
            language=_language(user),
            headers=_headers(unsubscribe),
        )
        if not sent:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            emailed_at=timezone.now(), digest=""
        )
    return len(items)


def digests_send(*, period: str, site_url: str | None = None) -> int:
    """Every waiting digest of ``period`` (what the beat runs); returns the emails sent."""
    if period not in DigestPeriod.values:
        raise ValueError(f"Unknown digest period {period!r}")
    user_ids = (
        Notification.objects.filter(digest=period, emailed_at=None)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in User.objects.filter(pk__in=list(user_ids), is_active=True):
        try:
            sent += bool(
                digest_send(user=user, period=period, site_url=site_url or settings.SITE_URL)
            )
        except Exception:  # one bad address or mail hiccup must not stop everyone's digest
            logger.exception("Could not send the %s digest of user %s", period, user.pk)
    return sent


# --- unsubscribing -------------------------------------------------------------------------


class UnsubscribeError(Exception):
    """The link is not one we made."""


def unsubscribe_read(token: str) -> tuple[User, list[str]]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        kinds = [k for k in data["k"] if k in NotificationKind.values]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise UnsubscribeError(
            _("This unsubscribe link is not valid. Sign in to choose which emails you get.")
        ) from None
    return user, kinds


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, list[str]]:
    """Stop the emails of the link's kinds; their notifications still show in the app."""
    user, kinds = unsubscribe_read(token)
    current = notification_preferences(user)
    notification_preferences_save(
        user=user,
        choices={k: Delivery.APP for k in kinds if current[k] in EMAIL_DELIVERIES},
    )
    return user, kinds

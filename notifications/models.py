"""How each person wants each kind of notification to reach them.

The notifications themselves are ``plans.models.Notification`` rows (kind, text in the
recipient's language, link); this app decides, per person and kind, whether one is made and
whether an email goes out at once, in a daily or weekly digest, or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import NotificationKind


class Delivery(models.TextChoices):
    APP = "app", _("In the app only")
    IMMEDIATE = "immediate", _("Email at once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Nothing")


# What a person gets before choosing: people asked to act by someone hear at once;
# reminders come together once a week, overdue work once a day.
DEFAULT_DELIVERY: dict[str, str] = {
    NotificationKind.MENTION: Delivery.IMMEDIATE,
    NotificationKind.REVIEW_REQUEST: Delivery.IMMEDIATE,
    NotificationKind.REVIEW_WAITING: Delivery.DAILY,
    NotificationKind.ASSIGNMENT_OVERDUE: Delivery.DAILY,
    NotificationKind.MILESTONE_DUE: Delivery.WEEKLY,
    NotificationKind.MEASURE_DUE: Delivery.WEEKLY,
    NotificationKind.RELEASE_CHANGES: Delivery.WEEKLY,
}

# Delivering by email means these; "unsubscribe" turns them into APP.
EMAIL_DELIVERIES = (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.WEEKLY)


class NotificationPreference(models.Model):
    """One person's choice for one kind (no row: ``DEFAULT_DELIVERY``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"

"""Sending the app's emails: plain text rendered without HTML escaping, headers on one line,
and at most ``EMAILS_PER_ADDRESS_PER_HOUR`` emails to one address.

Services that send because a person asked (an invitation, a reminder) call
``email_limit_check`` first, so the person gets a message at the field; ``email_send``
itself skips (and logs) an email past the limit, so nothing else can flood an address.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import EmailSent

logger = logging.getLogger(__name__)

# C0 and C1 controls (line breaks, tabs, NUL ...) and the invisible bidirectional overrides
# that make a name read differently from what it holds.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
WINDOW = timedelta(hours=1)


def _single_line_message() -> str:
    return _("Use one line of text, without line breaks, tabs or control characters.")


def validate_single_line(value: str) -> None:
    """A form field validator with the message the services give."""
    if CONTROL_CHARACTERS.search((value or "").strip()):
        raise ValidationError(_single_line_message())


def single_line_check(value: str, field: str) -> str:
    """The value stripped, or a ValidationError at ``field`` if it holds control characters.

    Names (of coalitions, working groups, organisations, people) go into email headers,
    CSV files and page titles, where a line break breaks them."""
    value = (value or "").strip()
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError({field: _single_line_message()})
    return value


def single_line(value: Any) -> str:
    """``value`` as one line: control characters become spaces (for names saved before)."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", str(value)).split())


def render_text(template: str, context: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping (``O'Brien`` stays ``O'Brien``)."""
    compiled = get_template(template).template  # type: ignore[attr-defined]
    return compiled.render(Context(context, autoescape=False))


def _address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def _sent_recently(address: str) -> int:
    since = timezone.now() - WINDOW
    return EmailSent.objects.filter(address_hash=_address_hash(address), sent_at__gte=since).count()


def email_limit_check(address: str, field: str = "email") -> None:
    """Refuse, with a message at ``field``, an email the per-address limit would drop."""
    if _sent_recently(address) >= settings.EMAILS_PER_ADDRESS_PER_HOUR:
        raise ValidationError(
            {
                field: _(
                    "%(n)d emails were sent to this address in the last hour, the most we send. "
                    "Please try again later."
                )
                % {"n": settings.EMAILS_PER_ADDRESS_PER_HOUR}
            }
        )


def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "",
    headers: dict[str, str] | None = None,
) -> bool:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and send them; False when the
    address had its hour's emails already (nothing is sent then). ``headers`` are added as
    they are (List-Unsubscribe, say)."""
    if _sent_recently(to) >= settings.EMAILS_PER_ADDRESS_PER_HOUR:
        logger.warning("Email %s not sent: the address reached its hourly limit", template)
        return False
    with translation.override(language or translation.get_language()):
        subject = single_line(render_text(f"{template}_subject.txt", context))
        body = render_text(f"{template}.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()
    EmailSent.objects.create(address_hash=_address_hash(to))
    EmailSent.objects.filter(sent_at__lt=timezone.now() - 2 * WINDOW).delete()
    return True

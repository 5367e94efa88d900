"""Translation without making Django a requirement of the chart code.

Every chart string goes through ``gettext`` (so ``makemessages`` finds it). Inside the
project Django translates it; in a bare Python process (a script, or tests without settings)
the string comes back unchanged.
"""

from __future__ import annotations


def gettext(message: str) -> str:
    try:
        from django.apps import apps
        from django.conf import settings
        from django.utils.translation import gettext as django_gettext
    except ImportError:  # pragma: no cover - Django is a project dependency
        return message
    # Django's catalogue needs the app registry; before setup, speak the source language.
    if not settings.configured or not apps.ready:
        return message
    return django_gettext(message)

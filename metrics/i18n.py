"""Translation without making Django a requirement of the plain-Python metric code.

The chart package and the quality vocabulary put every string through ``gettext`` (so
``makemessages`` finds it). Inside the project Django translates it; in a bare Python process
(a script, or tests without settings) the string comes back unchanged.
"""

from __future__ import annotations

from django.utils.functional import lazy


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


# For labels defined at import time (model choices, module constants): translated when shown.
gettext_lazy = lazy(gettext, str)

"""Reading configuration from the environment, with one-line messages for bad values.

Settings raise ``ConfigError``; the entry points (manage.py, wsgi, asgi, the Celery app)
turn it into a single line on stderr and exit status 2 instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
BROKER_SCHEMES = {"redis", "rediss", "filesystem", "memory"}


class ConfigError(ImproperlyConfigured):
    """A setting is missing or malformed; the message names it."""


def redact(url: str) -> str:
    """Hide the password of a URL so it can be shown in a message."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_url(name: str, value: str, schemes: set[str], example: str) -> str:
    scheme = urlsplit(value).scheme if "://" in value else ""
    if scheme not in schemes:
        raise ConfigError(
            f"{name} is not a valid URL ({redact(value)!r}); expected something like {example}"
        )
    return value


def exit_on_config_error(func: Callable[[], T]) -> T:
    """Run ``func``; on a ConfigError print one line and exit with status 2."""
    try:
        return func()
    except ConfigError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        raise SystemExit(2) from None

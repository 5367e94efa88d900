"""Waiting for what a page shows.

``Locator.is_visible()`` answers at once, and a click that submits a form or follows a link
waits only until the navigation starts. An assertion right after such a click can read the page
before the new one is parsed; on a fast or loaded machine it then fails at random.
``visible`` waits for the element first, up to a timeout, and answers as ``is_visible`` would.
"""

from __future__ import annotations

from playwright.sync_api import Locator
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def visible(locator: Locator, timeout: float = 10_000) -> bool:
    """True once ``locator`` is visible; False if it is still not after ``timeout`` ms."""
    try:
        locator.wait_for(state="visible", timeout=timeout)
    except PlaywrightTimeoutError:
        return False
    return True

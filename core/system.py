"""What the app needs from the operating system, checked before it is needed.

WeasyPrint (PDF exports) loads Pango through cffi when it is imported, and renders text
with the fonts fontconfig finds. Without them everything else still works: ``make run``
says in one line which Debian packages to install, PDF export buttons say why they are
off, and an export job that runs anyway fails with the same sentence. The browser tests
need Chromium. ``python -m core.system run|test`` is what the Makefile calls.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

PDF_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core")
BROWSER_PACKAGES = ("chromium",)
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".pfb")


@functools.cache
def pdf_problem() -> str:
    """Why PDFs cannot be made here, in English for logs and the console; "" if they can."""
    try:
        # WeasyPrint prints a banner of its own before re-raising; keep the console to one line.
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        logger.info("WeasyPrint cannot be loaded: %s", exc)
        return "the Pango library is missing"
    if not _font_found():
        return "no font is installed"
    return ""


def _font_found() -> bool:
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir() and any(
            path.suffix.lower() in FONT_SUFFIXES for path in root.rglob("*") if path.is_file()
        ):
            return True
    return False


def pdf_unavailable_message() -> str:
    """The sentence pages and failed export jobs show, in the reader's language; "" if fine."""
    from django.utils.translation import gettext as _

    problem = pdf_problem()
    if not problem:
        return ""
    if problem == "no font is installed":
        return _(
            "PDF export is not available on this server: no font is installed. "
            "An administrator can install the Debian package %(packages)s."
        ) % {"packages": "fonts-dejavu-core"}
    return _(
        "PDF export is not available on this server: the Pango library is missing. "
        "An administrator can install the Debian packages %(packages)s."
    ) % {"packages": " ".join(PDF_PACKAGES)}


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def chromium_found() -> bool:
    return Path(chromium_path()).exists()


def _install_line(packages: list[str]) -> str:
    return "sudo apt-get install " + " ".join(packages)


def check(purpose: str) -> int:
    """Print what is missing for ``make run`` or ``make test``; return the exit status.

    ``run`` never fails for a missing library: the server starts without PDF exports.
    ``test`` fails when Pango or a font is missing (half the suite makes PDFs), and when
    Chromium is missing unless ALLOW_NO_BROWSER=1 (then the browser tests skip, saying why).
    """
    problem = pdf_problem()
    pdf_missing = list(PDF_PACKAGES) if problem else []
    if purpose == "run":
        if problem:
            print(
                f"PDF exports are off: {problem}. To turn them on: {_install_line(pdf_missing)}",
                flush=True,
            )
        return 0
    browser_missing = [] if chromium_found() else list(BROWSER_PACKAGES)
    allowed = os.environ.get("ALLOW_NO_BROWSER") == "1"
    if pdf_missing or (browser_missing and not allowed):
        print(
            "The tests need system packages that are missing: "
            + _install_line(pdf_missing + browser_missing)
            + (" (or ALLOW_NO_BROWSER=1 to skip the browser tests)" if browser_missing else ""),
            flush=True,
        )
        return 1
    if browser_missing:
        print(f"Browser tests skipped (ALLOW_NO_BROWSER=1): {_install_line(browser_missing)}")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through subprocesses in tests
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else "run"))
